export { bannerText, type Probe, probes, type WaitOptions, waitForStack } from './banner.js';
export { isPortFree } from './ports.js';
export { dropRepeats } from './repeats.js';
export { runRole } from './run.js';
export {
  type Env,
  isRole,
  PORT_VARIABLES,
  ROLES,
  type Role,
  readPorts,
  repeatedLines,
  roleEnv,
  StackConfigError,
  type StackPorts,
  type StackUrls,
  stackUrls,
} from './stack.js';
