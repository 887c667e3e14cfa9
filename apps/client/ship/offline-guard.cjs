// Preloaded (NODE_OPTIONS=--require) into WeChat's compiler check and every Node process it starts:
// a network connection or DNS lookup fails at once and is written to WXAUTH_OFFLINE_LOG, so the
// check can neither reach out nor pass by quietly working around a refused call. Unix sockets
// (local IPC between the compiler's processes) stay allowed.
const dns = require('node:dns');
const fs = require('node:fs');
const net = require('node:net');

function refuse(what) {
  const log = process.env.WXAUTH_OFFLINE_LOG;
  if (log) fs.appendFileSync(log, `${what}\n`);
  const error = new Error(`offline: refused ${what}`);
  error.code = 'EOFFLINE';
  return error;
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  // net.connect passes its normalized arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (typeof options.path === 'string') return connect.apply(this, args);
  const error = refuse(`a connection to ${options.host ?? 'localhost'}:${options.port}`);
  process.nextTick(() => this.destroy(error));
  return this;
};

dns.lookup = function guardedLookup(hostname, ...rest) {
  const callback = rest.at(-1);
  const error = refuse(`a DNS lookup of ${hostname}`);
  if (typeof callback === 'function') process.nextTick(callback, error);
};
dns.promises.lookup = async (hostname) => {
  throw refuse(`a DNS lookup of ${hostname}`);
};
