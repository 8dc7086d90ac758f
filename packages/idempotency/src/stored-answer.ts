import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';

/** An answer as it is stored and replayed: status, the headers that belong to it, and the body. */
export interface StoredAnswer {
  readonly status: number;
  /** Lower-case names; see {@link answerHeaders} for which are kept. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The body as sent; binary bodies as base64 with {@link StoredAnswer.base64}. */
  readonly body: string;
  readonly base64?: boolean;
}

/**
 * Headers that describe one response rather than the answer: the connection,
 * the length (recomputed), the date, the request id (each request has its own)
 * and the rate-limit fields (they describe the caller's allowance now).
 */
const perResponse = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'date',
  'x-request-id',
  'retry-after',
  'ratelimit',
  'ratelimit-policy',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'idempotent-replayed',
]);

/** The headers of a response worth replaying: all but those of {@link perResponse}. */
export function answerHeaders(
  headers: Readonly<Record<string, string | number | readonly string[] | undefined>>,
): Record<string, string | readonly string[]> {
  const kept: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || perResponse.has(lower)) continue;
    kept[lower] = typeof value === 'number' ? String(value) : value;
  }
  return kept;
}

/**
 * Random bytes for IVs, drawn from the system in one call per 4 KiB rather than one per answer (as
 * `randomUUID` does): a call into the system's random source costs more than the sealing itself.
 */
const ivLength = 12;
const ivPool = Buffer.alloc(4096);
let ivOffset = ivPool.length;

function freshIv(): Buffer {
  if (ivOffset + ivLength > ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  // Copied out: the pool is overwritten when it is refilled.
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + ivLength));
  ivOffset += ivLength;
  return iv;
}

/** AES-256-GCM: the answer is unreadable and tamper-evident without the key it was sealed with. */
export function sealAnswer(answer: StoredAnswer, sealKey: Buffer): string {
  const iv = freshIv();
  const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
  const text = cipher.update(JSON.stringify(answer), 'utf8');
  cipher.final();
  return Buffer.concat([iv, cipher.getAuthTag(), text]).toString('base64');
}

/**
 * An answer stored as it is: its JSON, which begins with `{` (sealed answers
 * are base64, which never does). For answers that hold nothing secret, only
 * what the API keeps in the clear anyway (a campaign as created): sealing
 * costs about 10 µs of CPU per answer, five times what writing its JSON does.
 */
export function plainAnswer(answer: StoredAnswer): string {
  return JSON.stringify(answer);
}

/** Whether a stored answer was written by {@link plainAnswer} rather than {@link sealAnswer}. */
export function isPlainAnswer(stored: string): boolean {
  return stored.startsWith('{');
}

/** The answer {@link plainAnswer} wrote, or undefined when it is not one. */
export function readPlainAnswer(stored: string): StoredAnswer | undefined {
  if (!isPlainAnswer(stored)) return undefined;
  try {
    return JSON.parse(stored) as StoredAnswer;
  } catch {
    return undefined;
  }
}

/** The answer {@link sealAnswer} sealed, or undefined when the key does not open it (or it was altered). */
export function openAnswer(sealed: string, sealKey: Buffer): StoredAnswer | undefined {
  try {
    const bytes = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', sealKey, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as StoredAnswer;
  } catch {
    return undefined;
  }
}
