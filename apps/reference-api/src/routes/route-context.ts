import type { Kysely } from 'kysely';
import type { Principal } from '../authentication/authenticate.js';
import type { Database } from '../database/schema.js';

/** What every route plugin of the reference API is given. */
export interface RouteContext {
  readonly db: Kysely<Database>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by the `/v1` authentication hook. */
    principal: Principal;
  }
}
