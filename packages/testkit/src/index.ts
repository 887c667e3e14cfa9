export { freePort } from './free-port.js';
export { type NodeService, type NodeServiceOptions, startNodeService } from './node-service.js';
export {
  type ClusterNode,
  type RedisClusterHandle,
  type RedisClusterOptions,
  startRedisCluster,
} from './redis-cluster.js';
export { fieldsOf, redisCommand } from './redis-command.js';
export { type RedisSentinelHandle, type RedisSentinelOptions, startRedisSentinel } from './redis-sentinel.js';
export { hasRedisServer, ping, type RedisServerHandle, startRedisServer } from './redis-server.js';
export {
  packageScript,
  type ServerOptions,
  SIMULATED_APP,
  type Stack,
  type StackOptions,
  startServer,
  startStack,
} from './stack.js';
