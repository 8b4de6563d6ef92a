// Opens the libSQL database in a Cloudflare Worker: @libsql/client/web speaks Hrana over HTTP (fetch)
// to Turso or to the dev server (tools/hrana-dev-server) from env.LIBSQL_URL, with env.LIBSQL_AUTH_TOKEN.
// The token never appears in errors (withSecretsScrubbed) nor in `location`.
import { createClient } from "@libsql/client/web";
import type { Database } from "../../ports/database.ts";
import { withSecretsScrubbed } from "../../db/secret-redaction.ts";
import { scrubSecrets } from "../../secrets/redact.ts";

export interface WorkersDatabaseEnv {
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
}

export interface OpenedWorkersDatabase {
  db: Database;
  /** The URL without credentials, safe to log. */
  location: string;
}

export class WorkersDatabaseConfigError extends Error {
  override name = "WorkersDatabaseConfigError";
}

function describe(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
}

export function openWorkersDatabase(env: WorkersDatabaseEnv, options: { fetch?: typeof fetch } = {}): OpenedWorkersDatabase {
  const url = env.LIBSQL_URL?.trim();
  const token = env.LIBSQL_AUTH_TOKEN?.trim() || undefined;
  try {
    if (!url) throw new WorkersDatabaseConfigError("LIBSQL_URL is not set: the Worker needs a libSQL database over HTTP (Turso, or the dev server)");
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new WorkersDatabaseConfigError("LIBSQL_URL is not a valid URL");
    }
    // Workers talk HTTP only (a libsql: URL is turned into https:). ws/wss would need WebSockets.
    if (!["libsql:", "https:", "http:"].includes(u.protocol)) {
      throw new WorkersDatabaseConfigError(`LIBSQL_URL must be a libsql:, https: or http: URL in a Worker, got ${u.protocol}`);
    }
    if (u.username || u.password || u.searchParams.has("authToken")) {
      throw new WorkersDatabaseConfigError(`LIBSQL_URL (${describe(u)}) must not carry credentials: set the LIBSQL_AUTH_TOKEN secret instead`);
    }
    const client = createClient({ url, ...(token ? { authToken: token } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
    return { db: withSecretsScrubbed(client, [token]), location: describe(u) };
  } catch (e) {
    throw scrubSecrets(e, token ? [token] : []);
  }
}
