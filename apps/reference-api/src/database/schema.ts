import type { Generated, Insertable, Selectable } from 'kysely';

/** The tables of the reference API, as Kysely sees them. Times are ISO-8601 strings (UTC). */
export interface Database {
  teams: TeamsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  campaigns: CampaignsTable;
  recipients: RecipientsTable;
}

export interface TeamsTable {
  id: Generated<number>;
  name: string;
  created_at: string;
}

export type UserRole = 'admin' | 'member';

export interface UsersTable {
  id: Generated<number>;
  team_id: number;
  email: string;
  name: string;
  role: UserRole;
  created_at: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  /** The public part of the key, used to find it; the secret is never stored. */
  public_id: string;
  /** SHA-256 of the secret part, hex. */
  secret_hash: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

export type CampaignStatus = 'draft' | 'active' | 'paused' | 'archived';

export interface CampaignsTable {
  id: Generated<number>;
  team_id: number;
  name: string;
  status: CampaignStatus;
  created_at: string;
  updated_at: string;
}

export interface RecipientsTable {
  id: Generated<number>;
  campaign_id: number;
  email: string;
  name: string | null;
  created_at: string;
}

export type Campaign = Selectable<CampaignsTable>;
export type NewCampaign = Insertable<CampaignsTable>;
export type Recipient = Selectable<RecipientsTable>;
