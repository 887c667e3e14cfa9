import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/options.js';

describe('options', () => {
  it('default to the full run: 10 s rounds, 50 connections, 100,000 sessions for memory', () => {
    expect(parseOptions([])).toMatchObject({ mode: 'full', duration: 10, connections: 50, memorySessions: 100_000 });
  });

  it('--quick is the smoke preset; flags still override it', () => {
    expect(parseOptions(['--quick', '--connections', '20'])).toMatchObject({ mode: 'quick', connections: 20 });
  });

  it.each([
    [['--rounds', '2'], /at least 3/],
    [['--duration', '0'], /positive/],
    [['--only', 'nginx'], /unknown part/],
    [['--pipelining', '10'], /Unknown option/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
