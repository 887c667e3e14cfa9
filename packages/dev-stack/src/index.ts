export { bannerText, type Probe, probes, waitForStack } from './banner.js';
export { isPortFree } from './ports.js';
export { runRole } from './run.js';
export {
  type Env,
  isRole,
  PORT_VARIABLES,
  ROLES,
  type Role,
  readPorts,
  roleEnv,
  StackConfigError,
  type StackPorts,
  type StackUrls,
  stackUrls,
} from './stack.js';
