/** Safe reads of a parsed JSON body: own members only, of the expected type, never a getter's throw unhandled upstream. */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function member(record: JsonRecord, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

export function stringMember(record: JsonRecord, name: string): string | undefined {
  const value = member(record, name);
  return typeof value === 'string' ? value : undefined;
}

export function numberMember(record: JsonRecord, name: string): number | undefined {
  const value = member(record, name);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function recordMember(record: JsonRecord, name: string): JsonRecord | undefined {
  const value = member(record, name);
  return isRecord(value) ? value : undefined;
}

/** The records of an array member, at most `limit` of them; junk items are skipped. */
export function recordsOf(value: unknown, limit = 1000): JsonRecord[] {
  if (!Array.isArray(value)) return [];
  const records: JsonRecord[] = [];
  for (const item of value.slice(0, limit)) if (isRecord(item)) records.push(item);
  return records;
}

/** A code as the API wrote it: a string, or an integer (Twilio, Google) as its decimal text. */
export function codeMember(record: JsonRecord, name: string): string | number | undefined {
  const value = member(record, name);
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value)) ? value : undefined;
}

/** The members of `record` not in `modelled`: what a caller may still want to read. */
export function otherMembers(record: JsonRecord, modelled: ReadonlySet<string>): JsonRecord {
  const rest: JsonRecord = {};
  for (const name of Object.keys(record)) if (!modelled.has(name)) rest[name] = record[name];
  return rest;
}
