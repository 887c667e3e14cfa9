import { connect } from 'node:net';

/**
 * One Redis command over RESP, for a test to act on the server's store directly. Reads a
 * single-line reply only (`+OK`, `:1`, `-ERR …`), which is all the tests need.
 */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`redis on ${port}: no reply to ${args[0]}`));
    });
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!reply.endsWith('\r\n')) return;
      socket.end();
      if (reply.startsWith('-')) reject(new Error(`redis: ${reply.trim()}`));
      else resolve(reply.trim());
    });
    socket.once('connect', () => {
      const encoded = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('');
      socket.write(`*${args.length}\r\n${encoded}`);
    });
  });
}
