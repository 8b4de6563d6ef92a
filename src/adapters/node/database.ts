// Opens the libSQL database on Node and Deno.
//   - LIBSQL_URL set (libsql://, https://, http://, ws://, wss://): that remote database (Turso, the
//     dev server), authenticated with LIBSQL_AUTH_TOKEN.
//   - otherwise: the embedded file <dataDir>/nalssi.db, in WAL mode (readers do not block the writer)
//     with a busy timeout on every connection (a writer waits for another instead of failing at once).
// The auth token never appears in errors (withSecretsScrubbed) and is never part of `location`.
import { statSync } from "node:fs";
import { mkdir, rm, rmdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { type Database, DatabaseUnavailableError } from "../../ports/database.ts";
import { withSecretsScrubbed } from "../../db/secret-redaction.ts";
import { scrubSecrets } from "../../secrets/redact.ts";

export const DATABASE_FILE_NAME = "nalssi.db";
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export interface NodeDatabaseOptions {
  /** Folder of the embedded database file; created if missing. Used when LIBSQL_URL is not set. */
  dataDir?: string;
  /** Where LIBSQL_URL / LIBSQL_AUTH_TOKEN are read from. Default: the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How long a file connection waits for a lock before SQLITE_BUSY. Default 5 s. */
  busyTimeoutMs?: number;
}

export interface OpenedDatabase {
  db: Database;
  kind: "file" | "remote";
  /** Where the database is, safe to print (a path, or the URL without credentials). */
  location: string;
}

export class DatabaseConfigError extends Error {
  override name = "DatabaseConfigError";
}

/** The URL without user info, query or fragment (which is where credentials would hide). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

function checkRemoteUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DatabaseConfigError("LIBSQL_URL is not a valid URL");
  }
  if (!["libsql:", "https:", "http:", "wss:", "ws:"].includes(u.protocol)) {
    throw new DatabaseConfigError(
      `LIBSQL_URL must be a libsql:, https:, http:, wss: or ws: URL, got ${u.protocol} (for a local file, unset LIBSQL_URL and set the data folder)`,
    );
  }
  if (u.username || u.password || u.searchParams.has("authToken")) {
    throw new DatabaseConfigError(`LIBSQL_URL (${describeDatabaseUrl(url)}) must not carry credentials: put the token in LIBSQL_AUTH_TOKEN`);
  }
}

async function openFile(dataDir: string, busyTimeoutMs: number): Promise<OpenedDatabase> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, DATABASE_FILE_NAME);
  const client = createClient({ url: pathToFileURL(path).href, timeout: busyTimeoutMs });
  try {
    // Persistent in the file; the first opener switches it, later ones see 'wal' already.
    const rs = await client.execute("PRAGMA journal_mode = WAL");
    const mode = String(rs.rows[0]?.journal_mode ?? "");
    if (mode.toLowerCase() !== "wal") throw new DatabaseConfigError(`could not switch ${path} to WAL mode (journal_mode is ${mode || "unknown"})`);
  } catch (e) {
    client.close();
    throw e;
  }
  return { db: guardFile(client, path, busyTimeoutMs), kind: "file", location: path };
}

type FileIdentity = { dev: number; ino: number };

function identityOf(path: string): (FileIdentity & { size: number }) | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? { dev: s.dev, ino: s.ino, size: s.size } : undefined;
}

/**
 * The embedded file, guarded against being moved, deleted or replaced under a running process.
 * Before every call the file at `path` is checked (one stat, a few µs) against the one that was
 * opened: missing, or replaced by an empty file -> DatabaseUnavailableError, and the client is not
 * touched, so its pool never creates a new empty database where the real one was. Back under the
 * same identity (moved back) -> used again as is; replaced by another non-empty file (a restored
 * copy) -> the client is reopened on it (it exists, so nothing is created).
 */
function guardFile(first: ReturnType<typeof createClient>, path: string, busyTimeoutMs: number): Database {
  let client = first;
  let identity: FileIdentity | undefined = identityOf(path);
  const check = (): ReturnType<typeof createClient> => {
    const now = identityOf(path);
    if (now === undefined) throw new DatabaseUnavailableError(`the database file ${path} is missing (moved or deleted while running); put it back`);
    if (identity !== undefined && now.dev === identity.dev && now.ino === identity.ino) return client;
    if (now.size === 0) throw new DatabaseUnavailableError(`the database file ${path} was replaced by an empty file; put the real one back`);
    // Another file with content (a restored copy): reopen on it. The old connections still point at
    // the file that was replaced, so they are closed.
    const next = createClient({ url: pathToFileURL(path).href, timeout: busyTimeoutMs });
    client.close();
    client = next;
    identity = { dev: now.dev, ino: now.ino };
    return client;
  };
  // async: a failed check is a rejected promise, like any other database failure
  return {
    execute: (async (stmt: Parameters<Database["execute"]>[0], args?: Parameters<Database["execute"]>[1]) =>
      args === undefined ? check().execute(stmt as never) : check().execute(stmt as never, args as never)) as Database["execute"],
    batch: (async (stmts, mode) => check().batch(stmts, mode)) as Database["batch"],
    transaction: (async (mode) => check().transaction(mode)) as Database["transaction"],
    executeMultiple: (async (sql) => check().executeMultiple(sql)) as Database["executeMultiple"],
    close: () => client.close(),
  } as Database;
}

/** Opens the database the environment selects (see the file comment). */
export async function openNodeDatabase(options: NodeDatabaseOptions = {}): Promise<OpenedDatabase> {
  const env = options.env ?? process.env;
  const url = env.LIBSQL_URL?.trim();
  const token = env.LIBSQL_AUTH_TOKEN?.trim() || undefined;
  if (url) {
    try {
      checkRemoteUrl(url);
      const client = createClient({ url, ...(token ? { authToken: token } : {}) });
      return { db: withSecretsScrubbed(client, [token]), kind: "remote", location: describeDatabaseUrl(url) };
    } catch (e) {
      throw scrubSecrets(e, token ? [token] : []);
    }
  }
  if (!options.dataDir) throw new DatabaseConfigError("no database configured: set LIBSQL_URL, or give a data folder for the embedded file");
  const busy = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busy) || busy < 0) throw new DatabaseConfigError(`busy timeout must be a whole number of milliseconds >= 0, got ${busy}`);
  return openFile(options.dataDir, busy);
}

/** Deletes a database file with its WAL and shared-memory files (for tests and `reset`). */
export async function removeDatabaseFiles(path: string): Promise<void> {
  await Promise.all(["", "-wal", "-shm", "-journal"].map((suffix) => rm(path + suffix, { force: true })));
}

/** Deletes <dataDir>/nalssi.db and its companions, then the folder if that left it empty. */
export async function removeEmbeddedDatabase(dataDir: string): Promise<void> {
  await removeDatabaseFiles(join(resolve(dataDir), DATABASE_FILE_NAME));
  await rmdir(resolve(dataDir)).catch((e: unknown) => {
    const code = (e as { code?: unknown }).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOENT") throw e;
  });
}
