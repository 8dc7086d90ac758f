import type { ProfileName } from '../catalog/catalog-entry.js';
import { classicProfile } from './classic-profile.js';
import type { ErrorProfile } from './error-profile.js';
import { messageProfile } from './message-profile.js';
import { oauthProfile } from './oauth-profile.js';
import { problemProfile } from './problem-profile.js';

/** Every built-in profile by name. */
export const profiles: Readonly<Record<ProfileName, ErrorProfile>> = Object.freeze({
  problem: problemProfile,
  classic: classicProfile,
  message: messageProfile,
  oauth: oauthProfile,
});

/** The profile names, for option parsing and docs. */
export const profileNames = Object.keys(profiles) as readonly ProfileName[];

export function isProfileName(value: unknown): value is ProfileName {
  return typeof value === 'string' && Object.hasOwn(profiles, value);
}
