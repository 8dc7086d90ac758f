/**
 * The real reference API for the client tests: an in-memory SQLite database
 * with the demo account, and one listening app per set of options.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp, ensureDemoData, openDatabase, type AppOptions, type Database } from '../src/index.js';

export interface ReferenceServer {
  readonly db: Kysely<Database>;
  readonly apiKey: string;
  /** Starts an app on this database and returns its base URL. */
  listen(options?: Omit<AppOptions, 'db'>, setUp?: (app: FastifyInstance) => void): Promise<string>;
  close(): Promise<void>;
}

export async function openReferenceServer(): Promise<ReferenceServer> {
  const directory = mkdtempSync(join(tmpdir(), 'faultline-client-'));
  const db = await openDatabase({ kind: 'sqlite', path: ':memory:' });
  const apiKey = (await ensureDemoData(db, join(directory, 'demo-credentials.json'))).credentials.apiKey;
  const apps: FastifyInstance[] = [];
  return {
    db,
    apiKey,
    async listen(options = {}, setUp) {
      const app = await buildApp({ db, ...options });
      apps.push(app);
      setUp?.(app);
      await app.listen({ port: 0, host: '127.0.0.1' });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
    async close() {
      for (const app of apps) await app.close();
      await db.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
