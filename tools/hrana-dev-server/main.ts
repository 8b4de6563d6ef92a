// node tools/hrana-dev-server/main.ts --db <file> [--port 8080] [--host 127.0.0.1] [--token <t>]
//   [--busy-timeout-ms 5000] [--stream-expiry-ms 10000] [--quiet]
// Serves a local libSQL file over Hrana/HTTP for @libsql/client/web and `wrangler dev`
// (wrangler.toml: LIBSQL_URL = "http://127.0.0.1:8080"). The token can also come from
// HRANA_DEV_SERVER_TOKEN, which keeps it out of the process list. The token is never printed.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { startHranaDevServer } from "./server.ts";

const USAGE =
  "usage: node tools/hrana-dev-server/main.ts --db <file> [--port 8080] [--host 127.0.0.1] [--token <t>] [--busy-timeout-ms 5000] [--stream-expiry-ms 10000] [--quiet]";

function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0, got ${JSON.stringify(value)}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
      "busy-timeout-ms": { type: "string" },
      "stream-expiry-ms": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.db) throw new Error(`--db is required\n${USAGE}`);
  const token = values.token ?? process.env.HRANA_DEV_SERVER_TOKEN;
  const dbPath = resolve(values.db);
  const server = await startHranaDevServer({
    dbPath,
    port: intOption(values.port, "port", 8080),
    ...(values.host ? { host: values.host } : {}),
    ...(token ? { token } : {}),
    busyTimeoutMs: intOption(values["busy-timeout-ms"], "busy-timeout-ms", 5000),
    streamExpiryMs: intOption(values["stream-expiry-ms"], "stream-expiry-ms", 10_000),
    ...(values.quiet ? {} : { log: (line: string) => console.error(`[hrana-dev-server] ${line}`) }),
  });
  console.log(`hrana dev server: serving ${dbPath} at ${server.url}${token ? " (bearer token required)" : ""}`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`hrana dev server: shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
