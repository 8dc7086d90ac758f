export { freePort, waitForPort } from './free-port.js';
export { startPostgresServer, type PostgresServer } from './postgres-server.js';
export { startRedisServer, type RedisServer } from './redis-server.js';
export { MissingServiceError } from './missing-service.js';
