// `backfill`: ASOS hourly history (AsosHourlyInfoService/getWthrDataList) of a location's station
// for a range of KST days, up to yesterday (D-1, all KMA serves). Resumable: the days whose 24 hours
// are already in the database (source asos) are not fetched again.
//
// One ingest run (job 'asos_hourly') covers the whole invocation. Each missing KST day is one unit:
//   1. fetch the day (00..23 KST), paged by the client (numOfRows = pageSize);
//   2. PUT its raw page(s) under raw/kma/getWthrDataList/{location}/{YYYY-MM-DD}/0000.json (the KST
//      day asked for; deterministic, identical bytes not rewritten);
//   3. ONE write transaction: the day's rows + adding their counts to the run. COMMIT.
// A failure stops the backfill: the failing day leaves nothing in the database, the days before it
// stay committed, and the run is finished as 'failed' with the counts of what committed, the error
// class and a one-line redacted message. Running the same command again fetches only the days still
// missing. A day for which KMA answers NO_DATA is reported and left missing (asked again next time).
// A day with an hour KMA never serves (a station outage) is also asked again on every run: the
// database cannot tell "not fetched" from "does not exist" for a single hour.
// After the days (also after a failure), the CSV partitions of every UTC day of the range that has
// rows are brought up to date from the database (csv-partitions.ts; unchanged ones are not
// rewritten), so re-running the same command also repairs a partition export that failed.
import { observationUpsert } from "../db/observations.ts";
import type { UpsertCounts } from "../db/upsert-counts.ts";
import { addCounts } from "../db/upsert-counts.ts";
import type { KmaClient } from "../kma/client.ts";
import { KmaError } from "../kma/errors.ts";
import { KST_OFFSET_MS, kstDate } from "../time/kst.ts";
import { latestAsosHour } from "../kma/schedule.ts";
import type { Location } from "../locations/locations.ts";
import { commitUpserts } from "./commit-rows.ts";
import { writeObservationPartitions } from "./csv-partitions.ts";
import type { PartitionReport } from "./csv-partitions.ts";
import { identityRedact } from "./job-deps.ts";
import type { JobDeps } from "./job-deps.ts";
import { asosObservations } from "./kma-rows.ts";
import { storeRawPages } from "./raw-payloads.ts";
import { ZERO_COUNTS, addRunCountsStatement, errorClassOf, errorMessageOf, recordRunFailure, startRun, succeededRunStatement } from "./run-log.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The request itself is wrong (dates, range, a location without a station): nothing was done. */
export class BackfillRequestError extends Error {
  override name = "BackfillRequestError";
}

export interface BackfillDeps extends JobDeps {
  kma: KmaClient;
}

export interface BackfillOptions {
  location: Location;
  /** First and last KST day, YYYY-MM-DD, inclusive. */
  from: string;
  to: string;
  /** ASOS page size (numOfRows), 1..999. Default: the client's (999). */
  pageSize?: number;
  onProgress?: (progress: BackfillProgress) => void;
  signal?: AbortSignal;
}

export interface BackfillProgress {
  /** Missing days handled so far, of `total`. */
  done: number;
  total: number;
  day: string;
  outcome: "stored" | "no-data";
  counts: UpsertCounts;
}

export interface BackfillResult {
  locationId: string;
  stationId: number;
  runId: number | null;
  status: "succeeded" | "failed";
  from: string;
  to: string;
  daysInRange: number;
  /** Days already complete in the database (not fetched). */
  daysComplete: number;
  /** Days that were missing when the run started. */
  daysMissing: number;
  daysStored: string[];
  daysNoData: string[];
  counts: UpsertCounts;
  partitions?: PartitionReport;
  error?: { class: string; message: string; day?: string; recordError?: string };
  exportError?: { class: string; message: string };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** UTC instant of 00:00 KST on the day. Throws BackfillRequestError on a malformed or impossible date. */
export function kstDayStart(day: string, what = "date"): Date {
  const m = DATE.exec(day);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day)
    throw new BackfillRequestError(`${what} must be a KST date YYYY-MM-DD, got "${day}"`);
  return new Date(t - KST_OFFSET_MS);
}

/** The KST day (YYYY-MM-DD) of a UTC instant. */
export function kstDayOf(instant: Date | string): string {
  return kstDate(instant);
}

/** The KST days from..to inclusive. */
export function kstDays(from: string, to: string): string[] {
  const a = kstDayStart(from, "--from").getTime();
  const b = kstDayStart(to, "--to").getTime();
  if (a > b) throw new BackfillRequestError(`--from ${from} is after --to ${to}`);
  const days: string[] = [];
  for (let t = a; t <= b; t += DAY_MS) days.push(kstDayOf(new Date(t)));
  return days;
}

/** Every UTC day (YYYY-MM-DD) from the day of `first` to the day of `last`. */
function utcDaysBetween(first: Date, last: Date): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()); t <= last.getTime(); t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The days of the range whose 24 ASOS hours are not all in the database yet. */
export async function missingAsosDays(
  deps: Pick<JobDeps, "db">,
  locationId: string,
  days: readonly string[],
): Promise<{ missing: string[]; complete: number }> {
  if (days.length === 0) return { missing: [], complete: 0 };
  const from = kstDayStart(days[0]!);
  const to = new Date(kstDayStart(days[days.length - 1]!).getTime() + 23 * HOUR_MS);
  const rs = await deps.db.execute({
    sql: "SELECT observed_at FROM observations WHERE location_id = ? AND source = 'asos' AND observed_at >= ? AND observed_at <= ?",
    args: [locationId, from.toISOString().replace(".000Z", "Z"), to.toISOString().replace(".000Z", "Z")],
  });
  const perDay = new Map<string, number>();
  for (const r of rs.rows) {
    const d = kstDayOf(String(r.observed_at));
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
  }
  const missing = days.filter((d) => (perDay.get(d) ?? 0) < 24);
  return { missing, complete: days.length - missing.length };
}

export async function runBackfill(deps: BackfillDeps, options: BackfillOptions): Promise<BackfillResult> {
  const { db, clock, logger, kma } = deps;
  const redact = deps.redact ?? identityRedact;
  const { location } = options;
  const stationId = location.asosStationId;
  if (stationId === undefined) throw new BackfillRequestError(`location "${location.id}" has no ASOS station, so there is no hourly history to backfill`);
  const days = kstDays(options.from, options.to);
  const latest = latestAsosHour(clock.now());
  const lastDay = kstDayOf(latest);
  if (options.to > lastDay) throw new BackfillRequestError(`--to ${options.to} is too recent: KMA serves ASOS hourly data up to yesterday (KST), ${lastDay}`);
  if (options.pageSize !== undefined && (!Number.isInteger(options.pageSize) || options.pageSize < 1 || options.pageSize > 999)) {
    throw new BackfillRequestError(`page size must be an integer 1..999, got ${options.pageSize}`);
  }

  const { missing, complete } = await missingAsosDays(deps, location.id, days);
  const result: BackfillResult = {
    locationId: location.id,
    stationId,
    runId: null,
    status: "failed",
    from: options.from,
    to: options.to,
    daysInRange: days.length,
    daysComplete: complete,
    daysMissing: missing.length,
    daysStored: [],
    daysNoData: [],
    counts: { ...ZERO_COUNTS },
  };
  const params = {
    operation: "getWthrDataList",
    station: stationId,
    from: options.from,
    to: options.to,
    days_missing: missing.length,
    ...(options.pageSize ? { page_size: options.pageSize } : {}),
  };
  result.runId = await startRun(db, clock, { job: "asos_hourly", locationId: location.id, params });
  const runId = result.runId;
  logger.info("backfill started", {
    location: location.id,
    station: stationId,
    from: options.from,
    to: options.to,
    days: days.length,
    missing: missing.length,
    run_id: runId,
  });

  let current: string | undefined;
  try {
    for (const [i, day] of missing.entries()) {
      current = day;
      const start = kstDayStart(day);
      const request = {
        stationId,
        from: start,
        to: new Date(start.getTime() + 23 * HOUR_MS),
        ...(options.pageSize ? { numOfRows: options.pageSize } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      let fetched;
      try {
        fetched = await kma.getWthrDataList(request);
      } catch (e) {
        if (e instanceof KmaError && e.kind === "no-data") {
          result.daysNoData.push(day);
          logger.warn("KMA has no ASOS data for this day; it stays missing", { location: location.id, station: stationId, day });
          options.onProgress?.({ done: i + 1, total: missing.length, day, outcome: "no-data", counts: { ...ZERO_COUNTS } });
          continue;
        }
        throw e;
      }
      const raw = await storeRawPages(
        deps.objects,
        { api: "getWthrDataList", location: location.id, baseDate: day.replaceAll("-", ""), baseTime: "0000" },
        fetched.pages,
      );
      const rows = asosObservations(fetched.records, { locationId: location.id, ingestRunId: runId, rawRef: raw.keys[0]! });
      const now = clock.now();
      const counts = await commitUpserts(
        db,
        rows.map((r) => observationUpsert(r, now)),
        { then: (c) => [addRunCountsStatement(runId, c)], mustChangeOneRow: [0] },
      );
      result.counts = addCounts(result.counts, counts);
      result.daysStored.push(day);
      options.onProgress?.({ done: i + 1, total: missing.length, day, outcome: "stored", counts });
    }
    current = undefined;
    const rs = await db.execute(succeededRunStatement(runId, clock, result.counts));
    if (rs.rowsAffected !== 1) throw new Error(`ingest run ${runId} was not running any more when the backfill finished`);
    result.status = "succeeded";
    logger.info("backfill finished", {
      location: location.id,
      run_id: runId,
      ...result.counts,
      days_stored: result.daysStored.length,
      days_no_data: result.daysNoData.length,
    });
  } catch (e) {
    const failure = await recordRunFailure(db, clock, runId, e, result.counts, redact);
    result.error = {
      class: failure.errorClass,
      message: failure.errorMessage,
      ...(current ? { day: current } : {}),
      ...(failure.recordError ? { recordError: failure.recordError } : {}),
    };
    logger.error("backfill failed", {
      location: location.id,
      run_id: runId,
      day: current,
      error_class: failure.errorClass,
      error: failure.errorMessage,
      days_committed: result.daysStored.length,
      ...(failure.recordError ? { record_error: failure.recordError } : {}),
    });
  }
  try {
    const first = kstDayStart(days[0]!);
    const last = new Date(kstDayStart(days[days.length - 1]!).getTime() + 23 * HOUR_MS);
    result.partitions = await writeObservationPartitions(db, deps.objects, location.id, utcDaysBetween(first, last));
  } catch (e) {
    result.exportError = { class: errorClassOf(e), message: errorMessageOf(e, redact) };
    logger.error("CSV partition export failed after the rows committed; running the backfill again rewrites it", {
      location: location.id,
      run_id: runId,
      error_class: result.exportError.class,
      error: result.exportError.message,
    });
  }
  return result;
}
