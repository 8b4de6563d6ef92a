// The HTTP side of `nalssi start` and `nalssi serve`: the app from the composition root
// (src/compose.ts), listening on node:http or Deno.serve. For `start`, the clock that says what
// "now" is for forecasts can be a replay clock, while the model cache keeps real time.
import { createServer } from "node:net";
import { startDenoServer, isDeno } from "../../adapters/deno/http-server.ts";
import { startNodeServer, type FetchHandler, type RunningServer } from "../../adapters/node/http-server.ts";
import { type AppSettings, composeApp, type RuntimePorts } from "../../compose.ts";
import type { Logger } from "../../ports/logger.ts";
import { UsageError } from "../errors.ts";
import type { ServingConfig } from "../../serving/index.ts";
import type { ModelCache } from "../../serving/model-cache.ts";

export interface StartServerOptions {
  ports: RuntimePorts;
  settings: AppSettings;
  config: ServingConfig;
  port: number;
  host: string;
}

export interface StartedServer {
  server: RunningServer;
  models: ModelCache;
  /** Answers a request in-process (no network), e.g. for the first forecast printed at startup. */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

/** --port: a whole number from 0 (any free port) to 65535; anything else is a UsageError. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`--port must be a whole number from 0 to 65535, got ${JSON.stringify(value)}`);
  return n;
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

/** Serves `fetch` with Deno.serve under Deno, node:http otherwise; a taken port is a one-line error. */
export async function listen(fetch: FetchHandler, o: { port: number; host: string; logger: Logger; redact: (text: string) => string }): Promise<RunningServer> {
  try {
    return isDeno()
      ? await startDenoServer({ fetch, port: o.port, hostname: o.host })
      : await startNodeServer({
          fetch,
          port: o.port,
          hostname: o.host,
          onError: (e) => o.logger.error("request failed in the HTTP adapter", { error: o.redact((e as Error).message) }),
        });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).name;
    if (code === "EADDRINUSE" || code === "AddrInUse") throw portInUse(o.port, o.host);
    throw e;
  }
}

export async function startServer(o: StartServerOptions): Promise<StartedServer> {
  const composed = composeApp(o.ports, o.settings, o.config);
  const server = await listen(composed.fetch, { port: o.port, host: o.host, logger: o.ports.logger, redact: o.ports.redact });
  return { server, models: composed.models, fetch: composed.fetch, close: () => server.close() };
}
