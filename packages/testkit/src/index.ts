export { freePort } from './free-port.js';
export { type NodeService, type NodeServiceOptions, startNodeService } from './node-service.js';
export { hasRedisServer, ping, type RedisServerHandle, startRedisServer } from './redis-server.js';
export { packageScript, SIMULATED_APP, type Stack, type StackOptions, startStack } from './stack.js';
