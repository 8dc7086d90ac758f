/**
 * True when a query failed because a row would break a unique index or key:
 * `SQLITE_CONSTRAINT_UNIQUE` (or `SQLITE_CONSTRAINT_PRIMARYKEY`) from
 * better-sqlite3, SQLSTATE `23505` from PostgreSQL. With `constraint`, only
 * a violation of that index counts (PostgreSQL names it; SQLite names the
 * columns, so those are matched too).
 */
export function isUniqueViolation(
  error: unknown,
  constraint?: { readonly index: string; readonly columns: readonly string[] },
): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, constraint: violated } = error as { code?: unknown; message?: unknown; constraint?: unknown };
  if (code === '23505') return constraint === undefined || violated === constraint.index;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    if (constraint === undefined) return true;
    // "UNIQUE constraint failed: campaigns.team_id, campaigns.external_id"
    const text = typeof message === 'string' ? message : '';
    const failed = text
      .replace(/^.*constraint failed:\s*/i, '')
      .split(/,\s*/)
      .map((column) => column.replace(/^.*\./, ''));
    return constraint.columns.length === failed.length && constraint.columns.every((column) => failed.includes(column));
  }
  return false;
}
