// The HTTP side of `nalssi start`: the same Hono app as the Worker and `nalssi serve` (createApp,
// with the dashboard mounted in it), on node:http or Deno.serve. Unlike `serve`, the clock that
// says what "now" is for forecasts can be a replay clock, while the model cache keeps real time
// (it re-reads the production pointer every MODEL_RELOAD_SECONDS of real time).
import { createServer } from "node:net";
import { startDenoServer, isDeno } from "../../adapters/deno/http-server.ts";
import { startNodeServer, type RunningServer } from "../../adapters/node/http-server.ts";
import { createApp } from "../../http/app.ts";
import type { JobDeps } from "../../jobs/job-deps.ts";
import { DEFAULT_LOCATION_ID, DEFAULT_LOCATIONS } from "../../locations/locations.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { systemClock, type Clock } from "../../ports/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import { ForecastService, ModelCache, type ServingConfig } from "../../serving/index.ts";
import type { JobRunners } from "../../serving/job-runners.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface StartServerOptions {
  deps: JobDeps;
  /** "Now" for forecasts, verification and health (a replay clock in the offline demo). */
  clock: Clock;
  logger: Logger;
  redact: (text: string) => string;
  config: ServingConfig;
  jobs: (models: ModelCache) => JobRunners;
  port: number;
  host: string;
  env: Env;
}

export interface StartedServer {
  server: RunningServer;
  models: ModelCache;
  /** Answers a request in-process (no network), e.g. for the first forecast printed at startup. */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

const portInUse = (port: number, host: string) =>
  new Error(`port ${port} on ${host} is already in use (another nalssi start or serve?): stop it, or choose another with --port`);

/**
 * Fails at once when the port is taken, before minutes of preparation would end in the same error.
 * (A check, not a reservation: the real listen still reports a port taken in between.)
 */
export async function checkPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) => reject(e.code === "EADDRINUSE" ? portInUse(port, host) : e));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export async function startServer(o: StartServerOptions): Promise<StartedServer> {
  const { db, objects } = o.deps;
  const models = new ModelCache({ db, objects, clock: systemClock, logger: o.logger }, { checkIntervalMs: o.config.modelReloadSeconds * 1000, maxModels: o.config.modelCacheMaxModels });
  const forecasts = new ForecastService(
    { db, models, clock: o.clock },
    { windowDays: o.config.forecastWindowDays, maxInputAgeMs: o.config.forecastMaxAgeMinutes * 60_000, cacheMs: o.config.forecastCacheSeconds * 1000 },
  );
  const adminToken = o.env.ADMIN_TOKEN?.trim() || undefined;
  const app = createApp({
    db,
    objects,
    clock: o.clock,
    logger: o.logger,
    locations: DEFAULT_LOCATIONS,
    defaultLocation: o.env.DEFAULT_LOCATION?.trim() || DEFAULT_LOCATION_ID,
    models,
    forecasts,
    adminToken,
    jobs: o.jobs(models),
    redact: o.redact,
    loadLightGBM: () => loadLightGBM(),
    selftestEnabled: o.env.SELFTEST_ENABLED === "true",
  });
  const fetch = async (request: Request) => await app.fetch(request);
  let server: RunningServer;
  try {
    server = isDeno()
      ? await startDenoServer({ fetch, port: o.port, hostname: o.host })
      : await startNodeServer({ fetch, port: o.port, hostname: o.host, onError: (e) => o.logger.error("request failed in the HTTP adapter", { error: o.redact((e as Error).message) }) });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).name;
    if (code === "EADDRINUSE" || code === "AddrInUse") throw portInUse(o.port, o.host);
    throw e;
  }
  return { server, models, fetch, close: () => server.close() };
}
