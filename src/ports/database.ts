// Port: a libSQL database. Both @libsql/client (file:, :memory: on Node/Deno) and @libsql/client/web
// (HTTP/Hrana in Workers, Turso) implement this interface, so the core only ever sees this type.
import type { Client } from "@libsql/client";

export type Database = Pick<Client, "execute" | "batch" | "transaction" | "executeMultiple" | "close">;
export type { InArgs, InStatement, InValue, ResultSet, Row, Transaction } from "@libsql/client";

/**
 * The database cannot be used right now, for a reason outside the process (its file was moved,
 * deleted or replaced while serving). HTTP: 503 database_unavailable; /healthz: unhealthy.
 */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}
