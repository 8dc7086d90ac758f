import { builtinCatalog, fieldValidationError } from '@faultline/core';

/**
 * Cursors are opaque to clients: the base64url of the last id seen. Opaque,
 * so the storage order can change without breaking clients that keep them.
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`id:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const match = /^id:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match === null ? Number.NaN : Number(match[1]);
  // Ids are 32-bit integers on both engines: a bigger one was never handed out, and PostgreSQL would refuse to compare it.
  if (!Number.isSafeInteger(id) || id > 2_147_483_647) {
    throw fieldValidationError(
      [
        {
          pointer: '/cursor',
          location: 'query',
          detail: 'is not a cursor this API returned: use the next_cursor of the previous page, or leave it out',
        },
      ],
      { catalog: builtinCatalog },
    );
  }
  return id;
}

/** One page of rows fetched with `limit + 1`: the extra row only says whether a next page exists. */
export function pageOf<Row extends { id: number }, Item>(rows: readonly Row[], limit: number, present: (row: Row) => Item) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { data: page.map(present), next_cursor: rows.length > page.length && last !== undefined ? encodeCursor(last.id) : null };
}
