import { loopbackTimeouts, testConfig } from '@wxauth/vitest-config';

export default testConfig(loopbackTimeouts);
