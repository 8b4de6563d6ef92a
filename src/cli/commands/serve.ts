// `nalssi serve [--port] [--host] [--workers] [--data-dir]`: the same Hono app as the Worker, on Node (node:http)
// or Deno (Deno.serve), against the data folder (embedded libSQL file nalssi.db + objects/) or
// LIBSQL_URL. Settings from the environment: ADMIN_TOKEN (enables the admin routes),
// MODEL_RELOAD_SECONDS, FORECAST_MAX_AGE_MINUTES, FORECAST_WINDOW_DAYS, FORECAST_CACHE_SECONDS,
// KMA_SERVICE_KEY / KMA_BASE_URL (for the ingest job), the locations (--locations <file>,
// NALSSI_LOCATIONS_FILE, LOCATIONS; src/cli/locations-config.ts). Runs until SIGINT / SIGTERM.
import { untilSignal } from "../until-signal.ts";
import process from "node:process";
import type { Command } from "commander";
import { isDeno } from "../../adapters/deno/http-server.ts";
import type { RunningServer } from "../../adapters/node/http-server.ts";
import { isClusterWorker, leaveCluster, runCluster } from "../../adapters/node/cluster.ts";
import { adminTokenProblem } from "../../http/admin-auth.ts";
import { configuredLocations, withLocationsOption } from "../locations-config.ts";
import { KmaClient } from "../../kma/client.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { textLogger } from "../../logging/line-loggers.ts";
import { ServingConfigError, servingConfigFromEnv } from "../../serving/index.ts";
import { inProcessJobRunners, settingsRedactor } from "../../compose.ts";
import { parsePort, startServer } from "../start/server.ts";
import type { JobDeps } from "../../jobs/job-deps.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_DATA_DIR, openJobs, serviceKeyFromEnv } from "../job-setup.ts";
import { DATA_DIR_HELP } from "../registry-options.ts";

interface ServeOpts {
  port: string;
  workers: string;
  host: string;
  dataDir: string;
  quiet?: boolean;
  locations?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The KMA client for the ingest job, from KMA_SERVICE_KEY / KMA_BASE_URL (throws a one-line reason). */
export function kmaFromEnv(env: Env, deps: Pick<JobDeps, "clock" | "logger">): () => KmaClient {
  return () =>
    new KmaClient({
      serviceKey: serviceKeyFromEnv(env),
      ...(env.KMA_BASE_URL?.trim() ? { baseUrl: env.KMA_BASE_URL.trim() } : {}),
      clock: deps.clock,
      logger: deps.logger,
    });
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new UsageError(`--workers must be a whole number from 1 to 64, got ${JSON.stringify(value)}`);
  return n;
}

export async function startServe(
  opts: { port: number; host: string; dataDir: string; quiet?: boolean; locationsFile?: string },
  env: Env = process.env,
): Promise<{ server: RunningServer; close(): Promise<void> }> {
  let config;
  try {
    config = servingConfigFromEnv(env);
  } catch (e) {
    if (e instanceof ServingConfigError) throw new UsageError(e.message);
    throw e;
  }
  const locations = configuredLocations(opts.locationsFile, env);
  const tokenProblem = adminTokenProblem(env.ADMIN_TOKEN); // refuse a guessable admin token before anything starts
  if (tokenProblem) throw new UsageError(tokenProblem);
  const opened = await openJobs({ dataDir: opts.dataDir, verbose: !opts.quiet }, env);
  const { deps } = opened;
  const redact = settingsRedactor(env);
  const logger = textLogger((line) => void process.stderr.write(`nalssi serve: ${line}\n`), { minLevel: opts.quiet ? "warn" : "info", redact });
  const jobDeps = { ...deps, logger, redact };
  let server: RunningServer;
  try {
    ({ server } = await startServer({
      ports: {
        db: deps.db,
        objects: deps.objects,
        logger,
        redact,
        locations,
        // A long-running process: requests never wait for the pointer read or a model load (model-cache.ts).
        staleWhileChecking: true,
        loadLightGBM: () => loadLightGBM(),
        jobs: (serving) => inProcessJobRunners(jobDeps, serving, { kma: kmaFromEnv(env, jobDeps), loadLightGBM: () => loadLightGBM(), locations }),
      },
      settings: env,
      config,
      port: opts.port,
      host: opts.host,
    }));
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
  const workers = parseWorkers(opts.workers);
  if (workers > 1 && !isDeno() && !isClusterWorker()) {
    // The primary: forks the workers (each runs this command and the code below) and supervises them.
    const cluster = await runCluster({ workers, log: (line) => void process.stderr.write(`nalssi serve: ${line}\n`) });
    const host = cluster.address.host.includes(":") ? `[${cluster.address.host}]` : cluster.address.host;
    const url = `http://${host}:${cluster.address.port}`;
    process.stdout.write(`nalssi: serving on ${url} (docs ${url}/docs), ${workers} workers\n`);
    process.exitCode = await cluster.stopped;
    return;
  }
  if (workers > 1 && isDeno()) throw new UsageError("--workers needs Node (node:cluster); under Deno run one process per core behind a load balancer");
  const { server, close } = await startServe({
    port,
    host: opts.host,
    dataDir: opts.dataDir,
    quiet: opts.quiet ?? false,
    ...(opts.locations !== undefined ? { locationsFile: opts.locations } : {}),
  });
  // The URL on stdout (tests and scripts read it); everything else goes to stderr. A cluster worker
  // stays quiet: the primary reports the shared address.
  if (!isClusterWorker()) process.stdout.write(`nalssi: serving on ${server.url} (docs ${server.url}/docs)\n`);
  await untilSignal(() => close());
  leaveCluster();
}

export function registerServe(program: Command): void {
  withLocationsOption(
    program
      .command("serve")
      .description("serve the forecast API (the Worker's app) from the data folder: forecasts, predictions, registry, history, admin")
      .option("--port <n>", "TCP port (0 = any free port)", "8787")
      .option("--host <address>", "address to listen on", "127.0.0.1")
      .option(
        "--workers <n>",
        "server processes sharing the port (node:cluster), each with its own model cache; raise it to the number of cores when one process is CPU-bound",
        "1",
      )
      .option("--data-dir <dir>", DATA_DIR_HELP, DEFAULT_DATA_DIR)
      .option("--quiet", "log only warnings and errors"),
  ).action((opts: ServeOpts) => serve(opts));
}
