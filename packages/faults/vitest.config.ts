import { testConfig } from '@wxauth/vitest-config';

export default testConfig({
  // Each file starts its own stack (a redis-server, the simulator, the server): two at a time on
  // a 2-core CI machine; the bounds guard against a hang, they time nothing.
  maxWorkers: 2,
  testTimeout: 60_000,
  // A stack starts per file: on a CI machine busy with the rest of `pnpm test`, up to a minute or more.
  hookTimeout: 150_000,
});
