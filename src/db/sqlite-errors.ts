// Recognizing SQLite/libSQL error kinds across clients: @libsql/client (file:) puts the SQLite
// result code name in `code` (e.g. SQLITE_BUSY), @libsql/client/web puts the server's code there
// (sqld/Turso and the dev server use the same names). Messages are the fallback.

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Another connection holds a lock the statement needed; retrying later can succeed. */
export function isBusyError(e: unknown): boolean {
  const code = codeOf(e);
  if (code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED") || code === "TRANSACTION_BUSY")) return true;
  const message = e instanceof Error ? e.message : "";
  return /database is locked|database table is locked|SQLITE_BUSY/i.test(message);
}
