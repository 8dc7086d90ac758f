import { isProfileName, profileNames, type ProfileName } from '@faultline/core';
import { UsageError } from '../usage-error.js';

/** Checks a `--profile` value; the default is `problem`. */
export function profileOption(value: string | undefined): ProfileName {
  if (value === undefined) return 'problem';
  if (!isProfileName(value)) throw new UsageError(`--profile must be one of ${profileNames.join(', ')}; not "${value}"`);
  return value;
}
