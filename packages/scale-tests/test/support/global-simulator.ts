import type { TestProject } from 'vitest/node';
import { startSimulatorService } from './simulator-service.js';

declare module 'vitest' {
  export interface ProvidedContext {
    simulatorUrl: string;
  }
}

/**
 * One WeChat simulator process for every file (they run one after another): a Node process start
 * costs seconds on a loaded CI machine. Tests count its upstream calls as differences, never totals.
 */
export default async function setup(project: TestProject) {
  const service = await startSimulatorService();
  project.provide('simulatorUrl', service.url);
  return () => service.stop();
}
