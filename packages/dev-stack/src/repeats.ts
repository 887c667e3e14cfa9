import { Transform } from 'node:stream';

// Colour and cursor sequences: a spinner may redraw around a line that is otherwise the same.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the sequences it strips.
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]/g;
const HOLD_PARTIAL_MS = 100;

/**
 * Passes output through, but a line that matches `announcement` only the first time its text
 * appears. Lines are matched whole: the end of a chunk waits for its newline, or for a short
 * quiet spell (a progress bar redraws without one).
 */
export function dropRepeats(announcement: RegExp): Transform {
  const seen = new Set<string>();
  let partial = '';
  let timer: NodeJS.Timeout | undefined;
  const keep = (line: string): boolean => {
    const text = line.replace(ESCAPES, '').trim();
    if (!announcement.test(text)) return true;
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  };
  const stream: Transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      clearTimeout(timer);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      const kept = lines.filter(keep);
      callback(null, kept.length > 0 ? `${kept.join('\n')}\n` : undefined);
      if (partial !== '') {
        timer = setTimeout(() => {
          const rest = partial;
          partial = '';
          if (keep(rest)) stream.push(rest);
        }, HOLD_PARTIAL_MS);
      }
    },
    flush(callback) {
      clearTimeout(timer);
      callback(null, partial !== '' && keep(partial) ? partial : undefined);
    },
  });
  return stream;
}
