import { createServer } from 'node:http';
import { exitOnSignal, listenPort, sessionBody } from './common.js';

// Variant 1: the floor. One JSON route on node:http, nothing else.
exitOnSignal();
createServer((request, response) => {
  const body = JSON.stringify(request.url === '/healthz' ? { status: 'ok' } : sessionBody());
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
}).listen(listenPort(), '127.0.0.1');
