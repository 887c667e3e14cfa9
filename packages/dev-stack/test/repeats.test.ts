import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { dropRepeats } from '../src/index.js';

const ADDRESSES = [
  '<i> [webpack-dev-server] Project is running at:',
  '<i> [webpack-dev-server] Loopback: http://localhost:10086/',
];

const through = (chunks: string[]) => text(Readable.from(chunks).pipe(dropRepeats(/\[webpack-dev-server\]/)));

describe('dropRepeats', () => {
  it('passes an announcement the first time only, and every other line each time', async () => {
    const block = `${ADDRESSES.join('\n')}\n`;
    const output = await through(['- compiling\n', block, '- compiling\n', block, `\u001b[2K${block}`]);
    expect(output).toBe(`- compiling\n${block}- compiling\n`);
  });

  it('matches lines whole across chunks, and keeps a last line without a newline', async () => {
    const output = await through([
      '<i> [webpack-dev-server] Loop',
      'back: x\n<i> [webpack-dev-server] Loopback: x\n',
      'done',
    ]);
    expect(output).toBe('<i> [webpack-dev-server] Loopback: x\ndone');
  });
});
