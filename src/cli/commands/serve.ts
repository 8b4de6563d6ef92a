// `nalssi serve [--port] [--host] [--data-dir]`: the same Hono app as the Worker, on Node (node:http)
// or Deno (Deno.serve), against the data folder (embedded libSQL file nalssi.db + objects/) or
// LIBSQL_URL. Settings from the environment: ADMIN_TOKEN (enables the admin routes),
// MODEL_RELOAD_SECONDS, FORECAST_MAX_AGE_MINUTES, FORECAST_WINDOW_DAYS, FORECAST_CACHE_SECONDS,
// KMA_SERVICE_KEY / KMA_BASE_URL (for the ingest job). Runs until SIGINT / SIGTERM.
import { untilSignal } from "../until-signal.ts";
import process from "node:process";
import type { Command } from "commander";
import type { RunningServer } from "../../adapters/node/http-server.ts";
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
  host: string;
  dataDir: string;
  quiet?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The KMA client for the ingest job, from KMA_SERVICE_KEY / KMA_BASE_URL (throws a one-line reason). */
export function kmaFromEnv(env: Env, deps: Pick<JobDeps, "clock" | "logger">): () => KmaClient {
  return () => new KmaClient({ serviceKey: serviceKeyFromEnv(env), ...(env.KMA_BASE_URL?.trim() ? { baseUrl: env.KMA_BASE_URL.trim() } : {}), clock: deps.clock, logger: deps.logger });
}

export async function startServe(opts: { port: number; host: string; dataDir: string; quiet?: boolean }, env: Env = process.env): Promise<{ server: RunningServer; close(): Promise<void> }> {
  let config;
  try {
    config = servingConfigFromEnv(env);
  } catch (e) {
    if (e instanceof ServingConfigError) throw new UsageError(e.message);
    throw e;
  }
  const opened = await openJobs({ dataDir: opts.dataDir, verbose: !opts.quiet }, env);
  const { deps } = opened;
  const redact = settingsRedactor(env);
  const logger = textLogger((line) => void process.stderr.write(`nalssi serve: ${line}\n`), { minLevel: opts.quiet ? "warn" : "info", redact });
  const jobDeps = { ...deps, logger, redact };
  let server: RunningServer;
  try {
    ({ server } = await startServer({
      ports: { db: deps.db, objects: deps.objects, logger, redact, loadLightGBM: () => loadLightGBM(), jobs: (serving) => inProcessJobRunners(jobDeps, serving, { kma: kmaFromEnv(env, jobDeps), loadLightGBM: () => loadLightGBM() }) },
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
  const { server, close } = await startServe({ port, host: opts.host, dataDir: opts.dataDir, quiet: opts.quiet ?? false });
  // The URL on stdout (tests and scripts read it); everything else goes to stderr.
  process.stdout.write(`nalssi: serving on ${server.url} (docs ${server.url}/docs)\n`);
  await untilSignal(() => close());
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the forecast API (the Worker's app) from the data folder: forecasts, predictions, registry, history, admin")
    .option("--port <n>", "TCP port (0 = any free port)", "8787")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--data-dir <dir>", DATA_DIR_HELP, DEFAULT_DATA_DIR)
    .option("--quiet", "log only warnings and errors")
    .action((opts: ServeOpts) => serve(opts));
}
