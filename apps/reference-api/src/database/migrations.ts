import type { Kysely, Migration, MigrationProvider } from 'kysely';

/**
 * Migrations live in code, in order, so the built app carries them and a
 * fresh database is made the same way everywhere. Never edit a shipped one;
 * add the next.
 */
const migrations: Record<string, Migration> = {
  '0001-accounts-and-campaigns': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('teams')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('team_id', 'integer', (column) => column.notNull().references('teams.id'))
        .addColumn('email', 'text', (column) => column.notNull().unique())
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('role', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('user_id', 'integer', (column) => column.notNull().references('users.id'))
        .addColumn('public_id', 'text', (column) => column.notNull().unique())
        .addColumn('secret_hash', 'text', (column) => column.notNull())
        .addColumn('label', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('campaigns')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('team_id', 'integer', (column) => column.notNull().references('teams.id'))
        .addColumn('name', 'text', (column) => column.notNull())
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addColumn('updated_at', 'text', (column) => column.notNull())
        .execute();
      await db.schema.createIndex('campaigns_by_team').on('campaigns').columns(['team_id', 'id']).execute();
      await db.schema
        .createTable('recipients')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('campaign_id', 'integer', (column) => column.notNull().references('campaigns.id').onDelete('cascade'))
        .addColumn('email', 'text', (column) => column.notNull())
        .addColumn('name', 'text')
        .addColumn('created_at', 'text', (column) => column.notNull())
        .addUniqueConstraint('recipients_unique_email', ['campaign_id', 'email'])
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
