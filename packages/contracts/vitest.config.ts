import { testConfig } from '@wxauth/vitest-config';

export default testConfig();
