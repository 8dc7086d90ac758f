/**
 * Vitest global set-up of the `postgres` project: one throwaway PostgreSQL
 * server for the whole run; each test file makes its own database on it.
 */
import { startPostgresServer } from '@faultline/test-services';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  return () => server.close();
}
