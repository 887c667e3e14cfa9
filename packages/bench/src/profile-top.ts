import { readFileSync } from 'node:fs';
import { fmtMs, textTable } from './format.js';

/**
 * `pnpm --filter @wxauth/bench profile:top <file.cpuprofile> [count]`: where a server spent its
 * CPU, by self time per function, without opening DevTools. What `--profile` runs are read with.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function isProfile(value: unknown): value is Profile {
  return (
    typeof value === 'object' &&
    value !== null &&
    'nodes' in value &&
    Array.isArray(value.nodes) &&
    'samples' in value &&
    Array.isArray(value.samples) &&
    'timeDeltas' in value &&
    Array.isArray(value.timeDeltas)
  );
}

/** The package a frame belongs to: a node_modules name, `node:` for Node's own, `app` for the rest. */
function packageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:';
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  return match?.[1] ?? url.replace(/^.*\/(apps|packages)\/([^/]+)\/.*$/, '$1/$2');
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

const [file, countArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-top <file.cpuprofile> [count]');
  process.exit(2);
}
const profile: unknown = JSON.parse(readFileSync(file, 'utf8'));
if (!isProfile(profile)) throw new Error(`${file} is not a V8 CPU profile`);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<string, number>();
const packageMicros = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, index) => {
  const node = byId.get(id);
  const micros = profile.timeDeltas[index] ?? 0;
  if (!node) return;
  total += micros;
  const name = frameName(node);
  selfMicros.set(name, (selfMicros.get(name) ?? 0) + micros);
  const owner = packageOf(node);
  packageMicros.set(owner, (packageMicros.get(owner) ?? 0) + micros);
});
const busy = total - (selfMicros.get('(idle)') ?? 0);
const top = (entries: Map<string, number>, count: number) =>
  [...entries.entries()]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => [name, fmtMs(micros / 1000), `${((micros / busy) * 100).toFixed(1)}%`]);
console.log(`${file}: ${fmtMs(busy / 1000)} ms busy of ${fmtMs(total / 1000)} ms`);
console.log(textTable(['package (self time)', 'ms', 'of busy'], top(packageMicros, 15)));
console.log('');
console.log(textTable(['function (self time)', 'ms', 'of busy'], top(selfMicros, Number(countArg ?? 25))));
