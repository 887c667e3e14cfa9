import { afterAll, expect } from 'vitest';
import { leakWatch } from './leak-watch.js';

// Runs after every test file (vitest setupFiles): the file's servers must not have leaked a secret.
afterAll(() => {
  expect(leakWatch.findLeaks()).toEqual([]);
});
