// Normalized daily CSV partitions of a location's observations:
//   csv/observations/{location}/{YYYY}/{YYYY-MM-DD}.csv   (UTC day; src/storage/keys.ts)
// One row per hour from the `observations_best` view (each field from the best source that reported
// it, source precedence asos > ultra_srt_ncst > import), header first, UTC times, empty = NULL.
//
// Partitions are derived from the database, never the other way round: a job rewrites the
// partitions of the days it touched AFTER its rows committed, from what the database then holds, and
// only when the bytes differ. A failed export therefore never shows rows that did not commit, and
// the next run over the same days writes the partition again.
import { stringify } from "csv-stringify/sync";
import { OBSERVATION_FIELDS } from "../db/observations.ts";
import type { Database } from "../ports/database.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { observationCsvKey } from "../storage/keys.ts";
import { putIfChanged } from "./put-if-changed.ts";

export const PARTITION_COLUMNS = ["observed_at", "primary_source", "temperature_source", ...OBSERVATION_FIELDS] as const;

export const PARTITION_CONTENT_TYPE = "text/csv; charset=utf-8";

const PARALLEL_PUTS = 8;

/** UTC days (YYYY-MM-DD) of the given hours, sorted, without repeats. */
export function utcDaysOf(hours: Iterable<string | Date>): string[] {
  const days = new Set<string>();
  for (const h of hours) days.add((h instanceof Date ? h : new Date(h)).toISOString().slice(0, 10));
  return [...days].sort();
}

export interface PartitionReport {
  /** Keys written because their content changed (or they were new). */
  written: string[];
  /** Keys whose stored content was already identical. */
  unchanged: string[];
}

function cell(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  return v as string | number;
}

/** Rewrites the partitions of `days` (UTC YYYY-MM-DD) for the location from the database; `onProgress` is told after each one. */
export async function writeObservationPartitions(
  db: Database,
  store: ObjectStore,
  locationId: string,
  days: readonly string[],
  onProgress?: (done: number, total: number) => void,
): Promise<PartitionReport> {
  const report: PartitionReport = { written: [], unchanged: [] };
  if (days.length === 0) return report;
  const sorted = [...days].sort();
  const from = `${sorted[0]}T00:00:00Z`;
  const last = new Date(`${sorted[sorted.length - 1]}T00:00:00Z`);
  const to = new Date(last.getTime() + 86_400_000).toISOString().replace(".000Z", "Z");
  const rs = await db.execute({
    sql: `SELECT ${PARTITION_COLUMNS.join(", ")} FROM observations_best WHERE location_id = ? AND observed_at >= ? AND observed_at < ? ORDER BY observed_at`,
    args: [locationId, from, to],
  });
  const byDay = new Map<string, (string | number | null)[][]>();
  for (const row of rs.rows) {
    const day = String(row.observed_at).slice(0, 10);
    const list = byDay.get(day) ?? [];
    list.push(PARTITION_COLUMNS.map((c) => cell(row[c])));
    byDay.set(day, list);
  }
  const wanted = new Set(sorted);
  const jobs = [...byDay].filter(([day]) => wanted.has(day));
  const outcomes: ("written" | "unchanged")[] = new Array(jobs.length);
  // A few partitions at a time: the local store fsyncs every put.
  let next = 0;
  let finished = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) {
      const [day, rows] = jobs[i]!;
      const text = stringify(rows, { header: true, columns: [...PARTITION_COLUMNS], record_delimiter: "\n" });
      outcomes[i] = await putIfChanged(store, observationCsvKey(locationId, day), text, { contentType: PARTITION_CONTENT_TYPE });
      onProgress?.(++finished, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PUTS, jobs.length) }, worker));
  jobs.forEach(([day], i) => (outcomes[i] === "written" ? report.written : report.unchanged).push(observationCsvKey(locationId, day)));
  return report;
}
