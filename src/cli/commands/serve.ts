// `nalssi serve [--port] [--host] [--data-dir]`: the same Hono app as the Worker, on Node (node:http)
// or Deno (Deno.serve), against the data folder (embedded libSQL file nalssi.db + objects/) or
// LIBSQL_URL. Settings from the environment: ADMIN_TOKEN (enables the admin routes),
// MODEL_RELOAD_SECONDS, FORECAST_MAX_AGE_MINUTES, FORECAST_WINDOW_DAYS, FORECAST_CACHE_SECONDS,
// KMA_SERVICE_KEY / KMA_BASE_URL (for the ingest job), the locations (--locations <file>,
// NALSSI_LOCATIONS_FILE, LOCATIONS; src/cli/locations-config.ts). Runs until SIGINT / SIGTERM.
import { untilSignal } from "../until-signal.ts";
import process from "node:process";
import type { Command } from "commander";
import { startDenoServer, isDeno } from "../../adapters/deno/http-server.ts";
import { startNodeServer, type RunningServer } from "../../adapters/node/http-server.ts";
import { createApp } from "../../http/app.ts";
import { runIngest } from "../../jobs/ingest.ts";
import { runTraining } from "../../jobs/train/run-training.ts";
import { KmaClient } from "../../kma/client.ts";
import { DEFAULT_LOCATION_ID, DEFAULT_LOCATIONS } from "../../locations/locations.ts";
import type { Location } from "../../locations/locations.ts";
import { configuredLocations, withLocationsOption } from "../locations-config.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { textLogger } from "../../logging/line-loggers.ts";
import { createServing, ServingConfigError, servingConfigFromEnv } from "../../serving/index.ts";
import type { JobRunners } from "../../serving/job-runners.ts";
import { JobUnavailableError } from "../../serving/job-runners.ts";
import type { ModelCache } from "../../serving/model-cache.ts";
import type { JobDeps } from "../../jobs/job-deps.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_DATA_DIR, openJobs, serviceKeyFromEnv } from "../job-setup.ts";
import { DATA_DIR_HELP } from "../registry-options.ts";
import pkg from "../../../package.json" with { type: "json" };

interface ServeOpts {
  port: string;
  host: string;
  dataDir: string;
  quiet?: boolean;
  locations?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`);
  return n;
}

/** ingest (the hourly KMA fetch, every location) and train (the daily pipeline, in-process). */
export function nodeJobRunners(deps: JobDeps, models: ModelCache, env: Env, locations: readonly Location[] = DEFAULT_LOCATIONS): JobRunners {
  return {
    ingest: async () => {
      let key: string;
      try {
        key = serviceKeyFromEnv(env);
      } catch (e) {
        throw new JobUnavailableError((e as Error).message);
      }
      const kma = new KmaClient({ serviceKey: key, ...(env.KMA_BASE_URL?.trim() ? { baseUrl: env.KMA_BASE_URL.trim() } : {}), clock: deps.clock, logger: deps.logger });
      const result = await runIngest({ ...deps, kma }, { locations, at: deps.clock.now() });
      return {
        ok: result.ok,
        summary: {
          steps: result.steps.map((s) => ({ location: s.locationId, job: s.job, status: s.status, run_id: s.runId, ...(s.error ? { error: s.error } : {}), ...(s.exportError ? { export_error: s.exportError } : {}) })),
        },
      };
    },
    train: async (req) => {
      const runs = [];
      for (const location of req.location === null ? locations.map((l) => l.id) : [req.location]) {
        const run = await runTraining(
          {
            db: deps.db,
            objects: deps.objects,
            clock: deps.clock,
            logger: deps.logger,
            loadLightGBM: () => loadLightGBM(),
            code: { packageVersion: pkg.version },
            notifyServing: async (loc) => {
              const s = await models.reload(loc);
              return { serving: s.version };
            },
          },
          { location, trigger: "admin" },
        );
        runs.push({ location, run_id: run.id, status: run.status, error_step: run.errorStep, error: run.errorMessage });
      }
      return { ok: runs.every((r) => r.status === "succeeded"), summary: { runs } };
    },
  };
}

export async function startServe(opts: { port: number; host: string; dataDir: string; quiet?: boolean; locationsFile?: string }, env: Env = process.env): Promise<{ server: RunningServer; close(): Promise<void> }> {
  let config;
  try {
    config = servingConfigFromEnv(env);
  } catch (e) {
    if (e instanceof ServingConfigError) throw new UsageError(e.message);
    throw e;
  }
  const locations = configuredLocations(opts.locationsFile, env);
  const opened = await openJobs({ dataDir: opts.dataDir, verbose: !opts.quiet }, env);
  const { deps } = opened;
  const adminToken = env.ADMIN_TOKEN?.trim() || undefined;
  const redact = (text: string) => {
    const t = deps.redact ? deps.redact(text) : text;
    return adminToken && adminToken.length >= 4 ? t.split(adminToken).join("[REDACTED]") : t;
  };
  const logger = textLogger((line) => void process.stderr.write(`nalssi serve: ${line}\n`), { minLevel: opts.quiet ? "warn" : "info", redact });
  const serving = createServing({ db: deps.db, objects: deps.objects, clock: deps.clock, logger }, config);
  const app = createApp({
    db: deps.db,
    objects: deps.objects,
    clock: deps.clock,
    logger,
    locations,
    defaultLocation: env.DEFAULT_LOCATION?.trim() || (locations.some((l) => l.id === DEFAULT_LOCATION_ID) ? DEFAULT_LOCATION_ID : locations[0]!.id),
    ...serving,
    adminToken,
    jobs: nodeJobRunners({ ...deps, logger, redact }, serving.models, env, locations),
    redact,
    loadLightGBM: () => loadLightGBM(),
    selftestEnabled: env.SELFTEST_ENABLED === "true",
  });
  const fetch = (request: Request) => app.fetch(request);
  let server: RunningServer;
  try {
    server = isDeno()
      ? await startDenoServer({ fetch, port: opts.port, hostname: opts.host })
      : await startNodeServer({ fetch, port: opts.port, hostname: opts.host, onError: (e) => logger.error("request failed in the HTTP adapter", { error: redact((e as Error).message) }) });
  } catch (e) {
    opened.close();
    throw e;
  }
  return {
    server,
    close: async () => {
      await server.close();
      opened.close();
    },
  };
}

async function serve(opts: ServeOpts): Promise<void> {
  const port = parsePort(opts.port);
  const { server, close } = await startServe({ port, host: opts.host, dataDir: opts.dataDir, quiet: opts.quiet ?? false, ...(opts.locations !== undefined ? { locationsFile: opts.locations } : {}) });
  // The URL on stdout (tests and scripts read it); everything else goes to stderr.
  process.stdout.write(`nalssi: serving on ${server.url} (docs ${server.url}/docs)\n`);
  await untilSignal(() => close());
}

export function registerServe(program: Command): void {
  withLocationsOption(program
    .command("serve")
    .description("serve the forecast API (the Worker's app) from the data folder: forecasts, predictions, registry, history, admin")
    .option("--port <n>", "TCP port (0 = any free port)", "8787")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", DATA_DIR_HELP, DEFAULT_DATA_DIR)
    .option("--quiet", "log only warnings and errors"))
    .action((opts: ServeOpts) => serve(opts));
}
