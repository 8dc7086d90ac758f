/** The reference API as a library, for tests and benchmarks. */
export { buildApp, realm, type AppOptions } from './build-app.js';
export { readConfig, type Config } from './config.js';
export { defaultDatabaseTimeouts, parseDatabaseTimeouts, type DatabaseTimeouts } from './database/database-timeouts.js';
export { describeLocation, dialectOf, openDatabase, parseDatabaseUrl, type DatabaseLocation } from './database/open-database.js';
export type { Database } from './database/schema.js';
export { ensureDemoData, type DemoCredentials } from './demo/demo-data.js';
export { issueApiKey } from './authentication/api-keys.js';
export { credentialsFileFor, prepareData, startReferenceApi, startupBanner, untilStopSignal, type RunningApi } from './start.js';
