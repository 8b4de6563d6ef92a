// npm run dev [-- --port 8787] [--db-port 8080]: the Worker under `wrangler dev`, answering
// /v1/forecast from the bundled real Seoul data, offline, on a fresh clone, in one command.
//   1. what `nalssi start` prepares (src/cli/start/prepare.ts), in the data folder .nalssi/dev
//      (nalssi.db, objects/): the bundled import and a trained, promoted model for the replay date,
//      each skipped when already done;
//   2. the model objects copied into wrangler's local R2 (.wrangler/state, through wrangler's
//      getPlatformProxy: the same persistence `wrangler dev` reads), skipping those already there;
//   3. the Hrana dev server (tools/hrana-dev-server, as `npm run db:dev`) on .nalssi/dev/nalssi.db,
//      in this process, for the Worker's LIBSQL_URL;
//   4. `wrangler dev` with REPLAY_CLOCK set to the newest observation (the Worker serves as of then:
//      the bundled data ends in 2018), without telemetry or network look-ups.
// Ctrl-C stops wrangler, then the database server.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createR2ObjectStore } from "../src/adapters/workers/r2-object-store.ts";
import type { R2Bucket } from "../src/adapters/workers/workers-types.ts";
import { openJobs } from "../src/cli/job-setup.ts";
import { BUNDLED_SAMPLE_NAME, ensureBundledImport, ensureTrained, newestObservation, replayRunDate } from "../src/cli/start/prepare.ts";
import { DEFAULT_LOCATION_ID } from "../src/locations/locations.ts";
import { loadLightGBM } from "../src/model/lightgbm-wasm/node.ts";
import { startHranaDevServer } from "../tools/hrana-dev-server/server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DATA_DIR = ".nalssi/dev"; // nalssi.db (which `npm run db:dev` serves too) and objects/
// Offline: no request to Cloudflare for the request.cf object, no telemetry, no update check.
const QUIET_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", NO_UPDATE_NOTIFIER: "1" };

const say = (line: string) => void process.stdout.write(`${line}\n`);
const fail = (line: string): never => {
  process.stderr.write(`npm run dev: ${line}\n`);
  process.exit(1);
};

function port(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) fail(`--${name} must be a port number (1-65535), got ${JSON.stringify(value)}`);
  return n;
}

async function checkFree(p: number, what: string): Promise<void> {
  await new Promise<void>((resolve) => {
    const s = createServer();
    s.once("error", () =>
      fail(
        `port ${p} (${what}) is in use${p === 8080 ? " (is `npm run db:dev` running? npm run dev starts its own; stop it)" : ""}; choose another with --${what === "database" ? "db-port" : "port"}`,
      ),
    );
    s.listen(p, "127.0.0.1", () => s.close(() => resolve()));
  });
}

const { values } = parseArgs({
  options: { port: { type: "string" }, "db-port": { type: "string" }, help: { type: "boolean" } },
  strict: false,
  allowPositionals: false,
});
if (values.help) {
  say(
    "usage: npm run dev [-- --port 8787] [--db-port 8080]\nPrepares .nalssi/dev (nalssi.db, objects/) and wrangler's local R2 from the bundled Seoul data (once), then runs the Hrana dev server and `wrangler dev` with the replay clock. Ctrl-C stops both.",
  );
  process.exit(0);
}
const workerPort = port(values.port as string | undefined, "port", 8787);
const dbPort = port(values["db-port"] as string | undefined, "db-port", 8080);
process.chdir(ROOT);
await checkFree(dbPort, "database");
await checkFree(workerPort, "worker");

const t0 = performance.now();
const location = process.env.DEFAULT_LOCATION?.trim() || DEFAULT_LOCATION_ID;
let replayAt: string;
try {
  say(`npm run dev: preparing ${DATA_DIR} (nalssi.db, objects/) and wrangler's local R2 from the bundled data`);
  // The embedded file, whatever LIBSQL_URL says in this shell: the dev database is a local one.
  const opened = await openJobs({ dataDir: DATA_DIR }, { ...process.env, LIBSQL_URL: "", LIBSQL_AUTH_TOKEN: "" });
  try {
    const imported = await ensureBundledImport(opened.deps);
    say(
      imported.status === "already"
        ? `  import    ${BUNDLED_SAMPLE_NAME}: already imported`
        : `  import    ${BUNDLED_SAMPLE_NAME}: ${imported.result.counts.inserted} hours inserted (${(imported.ms / 1000).toFixed(1)} s)`,
    );
    const newest = await newestObservation(opened.deps.db, location);
    if (newest === null) throw new Error(`no observed temperature for ${location} after the import`);
    const runDate = replayRunDate(newest);
    const trained = await ensureTrained({ deps: opened.deps, loadLightGBM: () => loadLightGBM(), packageVersion: "dev" }, location, runDate);
    say(
      trained.status === "trained"
        ? `  train     ${location} ${runDate}: ${trained.run.status}, production ${trained.production?.version ?? "(not promoted)"} (${(trained.ms / 1000).toFixed(1)} s)`
        : trained.status === "production"
          ? `  model     ${location}: production ${trained.production.version}`
          : `  model     ${location}: the ${runDate} pipeline ran before and its model was not promoted`,
    );
    replayAt = new Date(newest).toISOString();

    // The model objects into wrangler's local R2, the same persistence `wrangler dev` reads.
    const { getPlatformProxy } = await import("wrangler");
    Object.assign(process.env, QUIET_ENV, { WRANGLER_LOG: "error" }); // its Workflows warning is wrangler dev's to give
    const proxy = await getPlatformProxy<{ OBJECTS: R2Bucket }>({ configPath: "wrangler.toml", persist: true, remoteBindings: false });
    try {
      const r2 = createR2ObjectStore(proxy.env.OBJECTS);
      let copied = 0;
      const local = await opened.deps.objects.list(`models/${location}/`);
      for (const o of local) {
        const there = await r2.head(o.key);
        if (there && there.size === o.size) continue;
        const obj = await opened.deps.objects.get(o.key);
        if (!obj) continue;
        await r2.put(o.key, obj.body, { ...(obj.contentType ? { contentType: obj.contentType } : {}), metadata: obj.metadata });
        copied++;
      }
      say(`  local R2  ${copied} model objects copied, ${local.length - copied} already there`);
    } finally {
      await proxy.dispose();
    }
  } finally {
    opened.close();
  }
} catch (e) {
  fail((e as Error).message.split("\n")[0]!);
}
delete process.env.WRANGLER_LOG;

const db = await startHranaDevServer({ dbPath: `${ROOT}${DATA_DIR}/nalssi.db`, port: dbPort }).catch((e: unknown) => fail((e as Error).message));
let wrangler: ReturnType<typeof spawn> | undefined;
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  if (wrangler && wrangler.exitCode === null && wrangler.signalCode === null) {
    wrangler.kill("SIGINT");
    await new Promise((r) => wrangler!.once("exit", r));
  }
  await db.close();
  process.exit(code);
};
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
say(`  database  ${DATA_DIR}/nalssi.db at ${db.url} (the Worker's LIBSQL_URL)`);

say(`  replay    REPLAY_CLOCK=${replayAt!} (the newest observation; prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
say(`  forecast  http://127.0.0.1:${workerPort}/v1/forecast?location=${location} once wrangler is ready; Ctrl-C stops both`);
const wranglerBin = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));
wrangler = spawn(
  process.execPath,
  [
    wranglerBin,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(workerPort),
    "--var",
    `REPLAY_CLOCK:${replayAt!}`,
    ...(dbPort === 8080 ? [] : ["--var", `LIBSQL_URL:${db.url}`]),
  ],
  { stdio: "inherit", env: { ...process.env, ...QUIET_ENV } },
);
wrangler.on("exit", (code) => void stop(code ?? 0));
