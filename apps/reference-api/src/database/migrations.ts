import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';

/** The SQL engines the reference API runs on. */
export type Dialect = 'sqlite' | 'postgres';

/**
 * Migrations live in code, in order, so the built app carries them and a
 * fresh database is made the same way everywhere. Never change what a shipped
 * one makes; add the next. The only dialect difference is how ids are
 * generated.
 *
 * Ids come from one sequence per table, shared by all teams: a team can
 * estimate how many campaigns others create from the gaps between its own.
 * Accepted: every lookup is scoped to the caller's team (another team's id
 * is a 404), and opaque ids would change every id in the contract.
 */
function migrationsFor(dialect: Dialect): Record<string, Migration> {
  const withId = <Name extends string>(table: CreateTableBuilder<Name, never>) =>
    dialect === 'postgres'
      ? table.addColumn('id', 'integer', (column: ColumnDefinitionBuilder) => column.primaryKey().generatedByDefaultAsIdentity())
      : table.addColumn('id', 'integer', (column: ColumnDefinitionBuilder) => column.primaryKey().autoIncrement());
  return {
    '0001-accounts-and-campaigns': {
      async up(db: Kysely<unknown>) {
        await withId(db.schema.createTable('teams'))
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .execute();
        await withId(db.schema.createTable('users'))
          .addColumn('team_id', 'integer', (column) => column.notNull().references('teams.id'))
          .addColumn('email', 'text', (column) => column.notNull().unique())
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('role', 'text', (column) => column.notNull())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .execute();
        await withId(db.schema.createTable('api_keys'))
          .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id'))
          .addColumn('public_id', 'text', (column) => column.notNull().unique())
          .addColumn('secret_hash', 'text', (column) => column.notNull())
          .addColumn('label', 'text', (column) => column.notNull())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
        await withId(db.schema.createTable('campaigns'))
          .addColumn('team_id', 'integer', (column) => column.notNull().references('teams.id'))
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('status', 'text', (column) => column.notNull())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('updated_at', 'text', (column) => column.notNull())
          .execute();
        await db.schema.createIndex('campaigns_by_team').on('campaigns').columns(['team_id', 'id']).execute();
        await withId(db.schema.createTable('recipients'))
          .addColumn('campaign_id', 'integer', (column) => column.notNull().references('campaigns.id').onDelete('cascade'))
          .addColumn('email', 'text', (column) => column.notNull())
          .addColumn('name', 'text')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addUniqueConstraint('recipients_unique_email', ['campaign_id', 'email'])
          .execute();
      },
    },
    '0002-account-states-sessions-and-campaign-fields': {
      async up(db: Kysely<unknown>) {
        // SQLite adds one column per ALTER TABLE.
        const addColumns = async (table: string, columns: [string, 'text' | 'integer', string | number | null][]) => {
          for (const [name, type, fallback] of columns) {
            await db.schema
              .alterTable(table)
              .addColumn(name, type, (column) => (fallback === null ? column : column.notNull().defaultTo(fallback)))
              .execute();
          }
        };
        await addColumns('teams', [
          ['subscription', 'text', 'active'],
          ['blocked_at', 'text', null],
          ['monthly_recipient_quota', 'integer', 10_000],
        ]);
        await addColumns('users', [
          ['disabled_at', 'text', null],
          ['password_hash', 'text', null],
        ]);
        await addColumns('api_keys', [['access', 'text', 'read_write']]);
        await addColumns('campaigns', [
          ['external_id', 'text', null],
          ['scheduled_at', 'text', null],
          ['sender_email', 'text', null],
          ['sender_name', 'text', null],
          ['version', 'integer', 1],
        ]);
        // NULLs are distinct in a unique index on both engines, so campaigns without an external id never collide.
        await db.schema
          .createIndex('campaigns_external_id')
          .on('campaigns')
          .columns(['team_id', 'external_id'])
          .unique()
          .execute();
        await withId(db.schema.createTable('sessions'))
          .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id').onDelete('cascade'))
          .addColumn('token_hash', 'text', (column) => column.notNull().unique())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('expires_at', 'text', (column) => column.notNull())
          .addColumn('ended_at', 'text')
          .execute();
        await db.schema
          .createTable('team_monthly_usage')
          .addColumn('team_id', 'integer', (column) => column.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('month', 'text', (column) => column.notNull())
          .addColumn('recipients_added', 'integer', (column) => column.notNull().defaultTo(0))
          .addPrimaryKeyConstraint('team_monthly_usage_key', ['team_id', 'month'])
          .execute();
      },
    },
    '0003-oauth': {
      async up(db: Kysely<unknown>) {
        await withId(db.schema.createTable('oauth_apps'))
          .addColumn('team_id', 'integer', (column) => column.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('client_id', 'text', (column) => column.notNull().unique())
          // Null for a public client (a browser or mobile app), which cannot keep a secret.
          .addColumn('client_secret_hash', 'text')
          .addColumn('name', 'text', (column) => column.notNull())
          .addColumn('client_type', 'text', (column) => column.notNull())
          // JSON array of exact URIs; compared as whole strings, never by prefix.
          .addColumn('redirect_uris', 'text', (column) => column.notNull())
          .addColumn('allowed_scopes', 'text', (column) => column.notNull())
          .addColumn('grant_types', 'text', (column) => column.notNull())
          // Set by the operator once the app may be used by other teams than its own.
          .addColumn('approved_at', 'text')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('deleted_at', 'text')
          .execute();
        // One user's consent to one app: every code and token descends from it, so revoking it revokes them all.
        await withId(db.schema.createTable('oauth_grants'))
          .addColumn('app_id', 'integer', (column) => column.notNull().references('oauth_apps.id').onDelete('cascade'))
          .addColumn('user_id', 'integer', (column) => column.references('users.id').onDelete('cascade'))
          .addColumn('team_id', 'integer', (column) => column.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('scope', 'text', (column) => column.notNull())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
        await withId(db.schema.createTable('oauth_codes'))
          .addColumn('grant_id', 'integer', (column) => column.notNull().references('oauth_grants.id').onDelete('cascade'))
          .addColumn('code_hash', 'text', (column) => column.notNull().unique())
          .addColumn('redirect_uri', 'text', (column) => column.notNull())
          .addColumn('scope', 'text', (column) => column.notNull())
          .addColumn('code_challenge', 'text')
          .addColumn('code_challenge_method', 'text')
          .addColumn('expires_at', 'text', (column) => column.notNull())
          .addColumn('used_at', 'text')
          .addColumn('created_at', 'text', (column) => column.notNull())
          .execute();
        await withId(db.schema.createTable('oauth_tokens'))
          .addColumn('grant_id', 'integer', (column) => column.notNull().references('oauth_grants.id').onDelete('cascade'))
          .addColumn('kind', 'text', (column) => column.notNull())
          .addColumn('token_hash', 'text', (column) => column.notNull().unique())
          .addColumn('scope', 'text', (column) => column.notNull())
          .addColumn('expires_at', 'text', (column) => column.notNull())
          .addColumn('created_at', 'text', (column) => column.notNull())
          .addColumn('revoked_at', 'text')
          // A refresh token that was exchanged for a new one; presenting it again means it leaked.
          .addColumn('rotated_at', 'text')
          .execute();
        await db.schema.createIndex('oauth_tokens_by_grant').on('oauth_tokens').column('grant_id').execute();
      },
    },
    '0004-users-credentials-version': {
      async up(db: Kysely<unknown>) {
        // Bumped by a new password and by disabling: every login cookie names the version it was made under.
        await db.schema
          .alterTable('users')
          .addColumn('credentials_version', 'integer', (column) => column.notNull().defaultTo(1))
          .execute();
      },
    },
    '0005-idempotency-records': {
      async up(db: Kysely<unknown>) {
        // One row per team and Idempotency-Key (the id is a hash of both; the key itself is not stored). A `running`
        // row is a claim that dies at `expires_at`; a `done` row holds the answer, sealed with a secret derived from
        // the key, until `expires_at`. The answer is written in the transaction of the work it records.
        await db.schema
          .createTable('idempotency_records')
          .addColumn('id', 'text', (column) => column.primaryKey())
          .addColumn('fingerprint', 'text', (column) => column.notNull())
          .addColumn('state', 'text', (column) => column.notNull())
          .addColumn('token', 'text', (column) => column.notNull())
          // Milliseconds since the epoch: compared with the clock of the process that claims.
          .addColumn('expires_at', 'bigint', (column) => column.notNull())
          .addColumn('answer', 'text')
          .execute();
        await db.schema.createIndex('idempotency_records_by_expiry').on('idempotency_records').column('expires_at').execute();
      },
    },
  };
}

/** The migrations for one engine. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: () => Promise.resolve(migrationsFor(dialect)) };
}
