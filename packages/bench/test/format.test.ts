import { describe, expect, it } from 'vitest';
import { markdownTable } from '../src/format.js';

describe('tables', () => {
  it('align figures right and words left, column by column', () => {
    const table = markdownTable(
      ['variant', 'req/s', 'goal', 'status', 'notes'],
      [
        ['1 bare node:http', '9,321', '>= 0.8×', 'met', ''],
        ['3 session check', '—', '<= 200 B', 'void', 'r1 2 errors'],
      ],
    );
    expect(table.split('\n')[1]).toBe('|---|---:|---:|---|---|');
  });
});
