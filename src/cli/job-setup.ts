// What the data commands (ingest, backfill, import) share on Node and Deno: the data folder
// (--data-dir, default ./.nalssi: the embedded libSQL file nalssi.db and the objects/ folder), or a
// remote libSQL/Turso database from LIBSQL_URL / LIBSQL_AUTH_TOKEN (objects stay in the folder);
// migrations applied on open; the KMA client from KMA_SERVICE_KEY / KMA_BASE_URL; a stderr logger
// and a redactor that remove the service key (every encoding) and the token from anything printed
// or stored.
import { join } from "node:path";
import process from "node:process";
import { createLocalObjectStore, sweepTemporaryFiles } from "../adapters/node/local-object-store.ts";
import { configureRunLiveness, reconcileAbandonedRuns } from "../db/run-liveness.ts";
import type { Database } from "../ports/database.ts";
import type { Logger } from "../ports/logger.ts";
import { openNodeDatabase } from "../adapters/node/database.ts";
import { migrate } from "../db/migrate.ts";
import { KmaClient } from "../kma/client.ts";
import { KmaError } from "../kma/errors.ts";
import { normalizeServiceKey, redactSecret } from "../kma/service-key.ts";
import type { JobDeps } from "../jobs/job-deps.ts";
import { DEFAULT_LOCATIONS, LocationError, getLocation } from "../locations/locations.ts";
import type { Location } from "../locations/locations.ts";
import { textLogger } from "../logging/line-loggers.ts";
import { systemClock } from "../ports/clock.ts";
import { withRetries } from "../storage/with-retries.ts";
import { UsageError } from "./errors.ts";

export const DEFAULT_DATA_DIR = "./.nalssi";
export const OBJECTS_FOLDER = "objects";

export interface DataOptions {
  dataDir?: string;
  verbose?: boolean;
}

export interface OpenedJobs {
  deps: JobDeps;
  /** Set when opened with `kma: true`. */
  kma?: KmaClient;
  /** Where the database is (a path, or the URL without credentials). */
  databaseLocation: string;
  objectsFolder: string;
  close(): void;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The decoded service key from the environment; missing or malformed is a one-line UsageError. */
export function serviceKeyFromEnv(env: Env): string {
  const key = env.KMA_SERVICE_KEY?.trim();
  if (!key) throw new UsageError("KMA_SERVICE_KEY is not set: export your data.go.kr service key (Encoding or Decoding form) to fetch from KMA");
  try {
    return normalizeServiceKey(key);
  } catch (e) {
    if (e instanceof KmaError) throw new UsageError(`KMA_SERVICE_KEY: ${e.message}`);
    throw e;
  }
}

export async function openJobs(options: DataOptions & { kma?: boolean }, env: Env = process.env): Promise<OpenedJobs> {
  const key = options.kma ? serviceKeyFromEnv(env) : undefined;
  const token = env.LIBSQL_AUTH_TOKEN?.trim() ?? "";
  const redact = (text: string) => {
    const t = redactSecret(text, key);
    return token.length >= 4 ? t.split(token).join("[REDACTED]") : t;
  };
  const logger = textLogger((line) => void process.stderr.write(`nalssi: ${line}\n`), { minLevel: options.verbose ? "info" : "warn", redact });
  let kma: KmaClient | undefined;
  if (key !== undefined) {
    try {
      kma = new KmaClient({ serviceKey: key, ...(env.KMA_BASE_URL?.trim() ? { baseUrl: env.KMA_BASE_URL.trim() } : {}), clock: systemClock, logger });
    } catch (e) {
      if (e instanceof KmaError && e.kind === "invalid-argument") throw new UsageError(`KMA_BASE_URL: ${e.message}`);
      throw e;
    }
  }
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const leaseSeconds = env.RUN_LEASE_SECONDS?.trim();
  if (leaseSeconds) {
    const s = Number(leaseSeconds);
    if (!Number.isInteger(s) || s < 2 || s > 3600)
      throw new UsageError(`RUN_LEASE_SECONDS must be a whole number of seconds from 2 to 3600, got ${JSON.stringify(leaseSeconds)}`);
    configureRunLiveness({ ttlMs: s * 1000 });
  }
  const { db, location } = await openNodeDatabase({ dataDir, env });
  try {
    await migrate(db, { logger });
  } catch (e) {
    db.close();
    throw e;
  }
  const objectsFolder = join(dataDir, OBJECTS_FOLDER);
  try {
    await reconcileAfterCrash(db, objectsFolder, logger);
  } catch (e) {
    db.close();
    throw e;
  }
  const objects = withRetries(createLocalObjectStore(objectsFolder, { logger }), {
    onRetry: (ev) => logger.warn("object store call failed, retrying", { operation: ev.operation, key: ev.key, attempt: ev.attempt, error: ev.error.message }),
  });
  return {
    deps: { db, objects, clock: systemClock, logger, redact },
    ...(kma ? { kma } : {}),
    databaseLocation: location,
    objectsFolder,
    close: () => db.close(),
  };
}

/** Temporary object files older than this are left-overs of a killed write (a put takes seconds at most). */
export const STALE_TEMP_FILE_MS = 5 * 60_000;

/**
 * What a killed command left behind: runs still marked running whose process is gone become
 * failed (abandoned), and stale temporary files in the object folder are removed.
 */
async function reconcileAfterCrash(db: Database, objectsFolder: string, logger: Logger): Promise<void> {
  const r = await reconcileAbandonedRuns(db, systemClock);
  if (r.ingestRuns + r.trainingRuns + r.pipelineRuns > 0) {
    logger.warn("marked runs whose process died as failed (abandoned)", {
      ingest_runs: r.ingestRuns,
      training_runs: r.trainingRuns,
      pipeline_runs: r.pipelineRuns,
    });
  }
  const swept = await sweepTemporaryFiles(objectsFolder, STALE_TEMP_FILE_MS);
  if (swept > 0) logger.info("removed stale temporary files from the object folder", { files: swept });
}

/** A known location by id (of `known`, default seoul only); an unknown id is a UsageError listing the known ones. */
export function locationOption(id: string, known: readonly Location[] = DEFAULT_LOCATIONS): Location {
  try {
    return getLocation(known, id);
  } catch (e) {
    if (e instanceof LocationError) throw new UsageError(`--location: ${e.message}`);
    throw e;
  }
}
