// `ingest`: the newest ultra-short-term nowcast (getUltraSrtNcst) and the newest short-term forecast
// (getVilageFcst) for every location. Each (location, product) is one step with its own ingest run.
//
// Consistency of a step (the design; see also commit-rows.ts, run-log.ts, csv-partitions.ts):
//   1. INSERT the ingest run as 'running' (committed on its own).
//   2. Fetch from KMA: the newest issue available at `at`; on NO_DATA, the issue before it, once.
//   3. PUT every raw page under its deterministic key raw/kma/{operation}/{location}/{base date}/{base
//      time}.json (identical bytes are not rewritten).
//   4. ONE write transaction: every row of the step (raw_ref = the page-1 key) + finishing the run
//      as 'succeeded' with its inserted/updated/skipped counts. COMMIT.
//   5. After the commit: rewrite the CSV partitions of the days the step touched (derived data).
// Any failure in 2-4 rolls back what the transaction had done and finishes the run as 'failed' with
// the error class and a one-line redacted message: no row of the step exists without its run being
// 'succeeded', and no row exists without its raw object. What can be left behind: a raw object with
// no rows (step 4 failed after step 3) — harmless, it is the same payload the next run writes to the
// same key — and a 'running' run when the process dies or the database is unreachable even for the
// failure record (then the error is logged). A failed partition export (5) leaves the committed rows
// and run as they are, is reported, and is redone by the next run over that day.
import { forecastUpsert } from "../db/forecasts.ts";
import { observationUpsert } from "../db/observations.ts";
import type { UpsertCounts, UpsertStatements } from "../db/upsert-counts.ts";
import type { ForecastFetchResult, KmaClient } from "../kma/client.ts";
import { KmaError } from "../kma/errors.ts";
import { latestBase, previousBase } from "../kma/schedule.ts";
import type { BaseDateTime } from "../kma/schedule.ts";
import type { Location } from "../locations/locations.ts";
import { commitUpserts } from "./commit-rows.ts";
import { utcDaysOf, writeObservationPartitions } from "./csv-partitions.ts";
import type { PartitionReport } from "./csv-partitions.ts";
import { identityRedact } from "./job-deps.ts";
import type { JobDeps } from "./job-deps.ts";
import { forecastRows, nowcastObservation } from "./kma-rows.ts";
import { storeRawPages } from "./raw-payloads.ts";
import { ZERO_COUNTS, errorClassOf, errorMessageOf, recordRunFailure, runParamsStatement, startRun, succeededRunStatement } from "./run-log.ts";

export type IngestProduct = "ultraSrtNcst" | "vilageFcst";

export const INGEST_PRODUCTS: readonly IngestProduct[] = ["ultraSrtNcst", "vilageFcst"];

const PRODUCT = {
  ultraSrtNcst: { operation: "getUltraSrtNcst", job: "ultra_srt_ncst" },
  vilageFcst: { operation: "getVilageFcst", job: "vilage_fcst" },
} as const;

export interface IngestOptions {
  locations: readonly Location[];
  /** Fetch the issues that are the newest available at this instant. Default: now. */
  at?: Date;
  products?: readonly IngestProduct[];
  signal?: AbortSignal;
}

export interface IngestStep {
  locationId: string;
  product: IngestProduct;
  job: string;
  status: "succeeded" | "failed";
  runId: number | null;
  /** The issue fetched (KST base date and time): the newest one, or the previous after a fallback. */
  baseDate?: string;
  baseTime?: string;
  /** Set when the newest issue had no data yet and the previous one was used. */
  fallbackFrom?: string;
  counts: UpsertCounts;
  rawKeys: string[];
  partitions?: PartitionReport;
  error?: { class: string; message: string; recordError?: string };
  /** The rows committed, but writing the CSV partitions failed. */
  exportError?: { class: string; message: string };
}

export interface IngestResult {
  steps: IngestStep[];
  /** Every step succeeded and every partition was written. */
  ok: boolean;
}

interface Fetched {
  result: ForecastFetchResult;
  base: BaseDateTime;
  fallbackFrom?: BaseDateTime;
}

const show = (b: Pick<BaseDateTime, "baseDate" | "baseTime">) => `${b.baseDate} ${b.baseTime}`;

async function fetchNewest(deps: IngestDeps, product: IngestProduct, location: Location, at: Date, signal?: AbortSignal): Promise<Fetched> {
  const call = (base: BaseDateTime) => {
    const request = { nx: location.nx, ny: location.ny, base, ...(signal ? { signal } : {}) };
    return product === "ultraSrtNcst" ? deps.kma.getUltraSrtNcst(request) : deps.kma.getVilageFcst(request);
  };
  const latest = latestBase(product, at);
  try {
    return { result: await call(latest), base: latest };
  } catch (e) {
    if (!(e instanceof KmaError && e.kind === "no-data")) throw e;
  }
  const previous = previousBase(product, latest);
  deps.logger.info("newest KMA issue has no data yet, trying the previous one", {
    location: location.id,
    product,
    newest: show(latest),
    previous: show(previous),
  });
  try {
    return { result: await call(previous), base: previous, fallbackFrom: latest };
  } catch (e) {
    if (e instanceof KmaError && e.kind === "no-data") {
      throw new KmaError(
        `${PRODUCT[product].operation}: NO_DATA (resultCode 03) for issue ${show(latest)} KST and for the previous issue ${show(previous)} KST at nx=${location.nx} ny=${location.ny}`,
        {
          kind: "no-data",
          operation: PRODUCT[product].operation,
          ...(e.resultCode ? { resultCode: e.resultCode } : {}),
        },
      );
    }
    throw e;
  }
}

export interface IngestDeps extends JobDeps {
  kma: KmaClient;
}

async function ingestStep(deps: IngestDeps, location: Location, product: IngestProduct, at: Date, signal?: AbortSignal): Promise<IngestStep> {
  const { db, clock, logger } = deps;
  const redact = deps.redact ?? identityRedact;
  const { operation, job } = PRODUCT[product];
  const step: IngestStep = { locationId: location.id, product, job, status: "failed", runId: null, counts: { ...ZERO_COUNTS }, rawKeys: [] };
  const newest = latestBase(product, at);
  step.baseDate = newest.baseDate;
  step.baseTime = newest.baseTime;
  let params: Record<string, unknown> = {
    operation,
    nx: location.nx,
    ny: location.ny,
    base_date: newest.baseDate,
    base_time: newest.baseTime,
    at: at.toISOString(),
  };
  try {
    step.runId = await startRun(db, clock, { job, locationId: location.id, params });
  } catch (e) {
    step.error = { class: errorClassOf(e), message: errorMessageOf(e, redact), recordError: "the ingest run could not be started" };
    logger.error("ingest step failed before its run was recorded", {
      location: location.id,
      product,
      error_class: step.error.class,
      error: step.error.message,
    });
    return step;
  }
  const runId = step.runId;
  let paramsChanged = false;
  try {
    const fetched = await fetchNewest(deps, product, location, at, signal);
    step.baseDate = fetched.base.baseDate;
    step.baseTime = fetched.base.baseTime;
    if (fetched.fallbackFrom) {
      step.fallbackFrom = show(fetched.fallbackFrom);
      params = { ...params, base_date: fetched.base.baseDate, base_time: fetched.base.baseTime, fallback_from: step.fallbackFrom };
      paramsChanged = true;
    }
    const raw = await storeRawPages(
      deps.objects,
      { api: operation, location: location.id, baseDate: fetched.base.baseDate, baseTime: fetched.base.baseTime },
      fetched.result.pages,
    );
    step.rawKeys = raw.keys;
    const provenance = { locationId: location.id, ingestRunId: runId, rawRef: raw.keys[0]! };
    const now = clock.now();
    let upserts: UpsertStatements[];
    let hours: string[] = [];
    if (product === "ultraSrtNcst") {
      const row = nowcastObservation(fetched.result.records, provenance);
      upserts = [observationUpsert(row, now)];
      hours = [String(row.observedAt)];
    } else {
      upserts = forecastRows(fetched.result.records, provenance).map((r) => forecastUpsert(r, now));
    }
    const finish = (counts: UpsertCounts) => [...(paramsChanged ? [runParamsStatement(runId, params)] : []), succeededRunStatement(runId, clock, counts)];
    step.counts = await commitUpserts(db, upserts, { then: finish, mustChangeOneRow: [paramsChanged ? 1 : 0] });
    step.status = "succeeded";
    logger.info("ingest step succeeded", { location: location.id, product, run_id: runId, base: show(fetched.base), ...step.counts, raw_key: raw.keys[0] });
    if (hours.length > 0) {
      try {
        step.partitions = await writeObservationPartitions(db, deps.objects, location.id, utcDaysOf(hours));
      } catch (e) {
        step.exportError = { class: errorClassOf(e), message: errorMessageOf(e, redact) };
        logger.error("CSV partition export failed after the rows committed; the next run rewrites it", {
          location: location.id,
          product,
          run_id: runId,
          error_class: step.exportError.class,
          error: step.exportError.message,
        });
      }
    }
    return step;
  } catch (e) {
    const failure = await recordRunFailure(db, clock, runId, e, ZERO_COUNTS, redact, paramsChanged ? params : undefined);
    step.error = { class: failure.errorClass, message: failure.errorMessage, ...(failure.recordError ? { recordError: failure.recordError } : {}) };
    logger.error("ingest step failed", {
      location: location.id,
      product,
      run_id: runId,
      error_class: failure.errorClass,
      error: failure.errorMessage,
      ...(failure.recordError ? { record_error: failure.recordError } : {}),
    });
    return step;
  }
}

/** Runs every (location, product) step in turn; a failed step does not stop the others. */
export async function runIngest(deps: IngestDeps, options: IngestOptions): Promise<IngestResult> {
  const at = options.at ?? deps.clock.now();
  if (Number.isNaN(at.getTime())) throw new RangeError("ingest: `at` is an invalid date");
  if (options.locations.length === 0) throw new RangeError("ingest: no locations");
  const steps: IngestStep[] = [];
  for (const location of options.locations) {
    for (const product of options.products ?? INGEST_PRODUCTS) {
      steps.push(await ingestStep(deps, location, product, at, options.signal));
    }
  }
  return { steps, ok: steps.every((s) => s.status === "succeeded" && !s.exportError) };
}
