export { buildSimulator, type Simulator } from './app.js';
export { createSimulatorControl, type SimulatorControl } from './control-client.js';
export { DEFAULT_OPEN_PLATFORM, simulatedOpenid, simulatedPhone, simulatedUnionid } from './identity.js';
export {
  DEFAULT_USERS,
  type SimulatedApp,
  type SimulatedUser,
  type SimulatorOptions,
  TEST_APP,
} from './options.js';
export * from './schemas.js';
export { encryptUserData, rawDataSignature, sessionKeySignature } from './user-data-crypto.js';
