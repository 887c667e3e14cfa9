export { freePort } from './free-port.js';
export { hasRedisServer, ping, type RedisServerHandle, startRedisServer } from './redis-server.js';
