import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are people's choices, so unlike API keys they get a slow,
 * memory-hard hash: scrypt, with the parameters stored beside each hash so
 * they can be raised later without invalidating old ones.
 * Format: `scrypt$N$r$p$salt$hash`, salt and hash in base64url.
 */
const cost = { N: 16_384, r: 8, p: 1 } as const;
const keyLength = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: 128 * N * r bytes is needed; the default 32 MiB cap would refuse larger stored parameters.
    scrypt(password.normalize('NFC'), salt, keyLength, { ...options, maxmem: 256 * 1024 * 1024 }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * Whether `password` matches `stored`, compared in constant time. With no
 * stored hash (unknown email, user without a password) it still derives a
 * key, so the answer takes as long as a wrong password's.
 */
export async function passwordMatches(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? absentUserHash).split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const given = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return stored !== null && given.length === expected.length && timingSafeEqual(given, expected);
}

/** A hash no password was ever given for, with the current parameters. */
const absentUserHash = `scrypt$${cost.N}$${cost.r}$${cost.p}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(keyLength).toString('base64url')}`;
