import type { ColumnType, Generated, Selectable } from 'kysely';

/** The tables of the reference API, as Kysely sees them. Times are ISO-8601 strings (UTC). */
export interface Database {
  teams: TeamsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  campaigns: CampaignsTable;
  recipients: RecipientsTable;
  sessions: SessionsTable;
  team_monthly_usage: TeamMonthlyUsageTable;
  oauth_apps: OAuthAppsTable;
  oauth_grants: OAuthGrantsTable;
  oauth_codes: OAuthCodesTable;
  oauth_tokens: OAuthTokensTable;
  idempotency_records: IdempotencyRecordsTable;
}

/** One team's Idempotency-Key: a claim while its request runs, then the sealed answer (see idempotency/). */
export interface IdempotencyRecordsTable {
  id: string;
  fingerprint: string;
  state: 'running' | 'done';
  token: string;
  /** Milliseconds since the epoch; PostgreSQL's bigint comes back as a string. */
  expires_at: ColumnType<number | string, number, number>;
  answer: string | null;
}

/** `active`: a paid subscription; `lapsed`: it ended; `none`: never had one. */
export type Subscription = 'active' | 'lapsed' | 'none';

export interface TeamsTable {
  id: Generated<number>;
  name: string;
  created_at: string;
  subscription: Generated<Subscription>;
  /** Set when compliance blocked the team; only the operator lifts it. */
  blocked_at: string | null;
  /** Recipients the team may add per calendar month (UTC). */
  monthly_recipient_quota: Generated<number>;
}

export type UserRole = 'admin' | 'member';

export interface UsersTable {
  id: Generated<number>;
  team_id: number;
  email: string;
  name: string;
  role: UserRole;
  created_at: string;
  disabled_at: string | null;
  /** scrypt, see authentication/passwords.ts; null for a user who cannot log in with a password. */
  password_hash: string | null;
  /** Bumped by a new password and by disabling; an OAuth login cookie made under an older one is refused. */
  credentials_version: Generated<number>;
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
  access: Generated<KeyAccess>;
}

/** What an API key may do: everything its user may, or only read. */
export type KeyAccess = 'read_write' | 'read_only';

export type CampaignStatus = 'draft' | 'active' | 'paused' | 'archived';

export interface CampaignsTable {
  id: Generated<number>;
  team_id: number;
  name: string;
  status: CampaignStatus;
  created_at: string;
  updated_at: string;
  /** The client's own id for the campaign, unique per team. */
  external_id: string | null;
  scheduled_at: string | null;
  sender_email: string | null;
  sender_name: string | null;
  /** Raised by every change; the ETag is made from it. */
  version: Generated<number>;
}

export interface RecipientsTable {
  id: Generated<number>;
  campaign_id: number;
  email: string;
  name: string | null;
  created_at: string;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 of the session token, hex; the token itself is never stored. */
  token_hash: string;
  created_at: string;
  expires_at: string;
  /** Set by logout. */
  ended_at: string | null;
}

/** What a team did in one calendar month (UTC), e.g. `2026-11`. */
export interface TeamMonthlyUsageTable {
  team_id: number;
  month: string;
  recipients_added: Generated<number>;
}

export type Campaign = Selectable<CampaignsTable>;
export type Recipient = Selectable<RecipientsTable>;

/** An OAuth app a team registered. Lists are stored as text: JSON for URIs, space-separated for scopes and grant types. */
export interface OAuthAppsTable {
  id: Generated<number>;
  team_id: number;
  client_id: string;
  /** SHA-256 of the client secret, hex; null for a public client. */
  client_secret_hash: string | null;
  name: string;
  client_type: 'confidential' | 'public';
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** Space-separated scopes the app may ask for. */
  allowed_scopes: string;
  /** Space-separated: authorization_code, refresh_token, client_credentials. */
  grant_types: string;
  /** When the operator approved the app for other teams; until then only its own team may authorize it. */
  approved_at: string | null;
  created_at: string;
  deleted_at: string | null;
}

/** A user's consent to an app (or, with no user, an app acting for its own team by client credentials). */
export interface OAuthGrantsTable {
  id: Generated<number>;
  app_id: number;
  user_id: number | null;
  team_id: number;
  scope: string;
  created_at: string;
  revoked_at: string | null;
}

export interface OAuthCodesTable {
  id: Generated<number>;
  grant_id: number;
  /** SHA-256 of the code, hex. */
  code_hash: string;
  redirect_uri: string;
  scope: string;
  code_challenge: string | null;
  code_challenge_method: 'S256' | null;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface OAuthTokensTable {
  id: Generated<number>;
  grant_id: number;
  kind: 'access' | 'refresh';
  /** SHA-256 of the token, hex. */
  token_hash: string;
  scope: string;
  expires_at: string;
  created_at: string;
  revoked_at: string | null;
  rotated_at: string | null;
}
