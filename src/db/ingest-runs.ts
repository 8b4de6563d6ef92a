// Recording ingest runs (table `ingest_runs`): a row is inserted as 'running' when a job starts and
// finished exactly once as 'succeeded' or 'failed' with its counters and, on failure, the error.
import type { InStatement } from "../ports/database.ts";
import { scrubSecrets } from "../secrets/redact.ts";
import type { UpsertCounts } from "./upsert-counts.ts";
import { toUtcSecondFloor } from "./utc-time.ts";

export const MAX_ERROR_MESSAGE_LENGTH = 4000;

export interface IngestRunStart {
  /** e.g. 'asos_hourly', 'ultra_srt_ncst', 'vilage_fcst', 'import_csv' (lowercase snake_case). */
  job: string;
  locationId?: string | null;
  /** What was requested (base time, grid, station, range). Never put secrets here. */
  params?: Record<string, unknown> | null;
  startedAt: Date;
}

/** INSERT ... RETURNING id: execute it and read `rows[0].id`. */
export function startIngestRun(run: IngestRunStart): InStatement {
  return {
    sql: "INSERT INTO ingest_runs (job, location_id, params, started_at, status) VALUES (?, ?, ?, ?, 'running') RETURNING id",
    args: [run.job, run.locationId ?? null, run.params == null ? null : JSON.stringify(run.params), toUtcSecondFloor(run.startedAt, "startedAt")],
  };
}

export type IngestRunEnd =
  | { id: number | bigint; finishedAt: Date; status: "succeeded"; counts: UpsertCounts }
  | {
      id: number | bigint;
      finishedAt: Date;
      status: "failed";
      /** What was written before the failure (rows already committed stay). */
      counts: UpsertCounts;
      /** A short class such as 'KmaError:quota' or the error's name. */
      errorClass: string;
      errorMessage: string;
      /** Strings to remove from the message before it is stored (service key, tokens). */
      secrets?: readonly string[];
    };

/**
 * UPDATE of a still-running run. Zero rows affected means the run was not 'running' (finished
 * twice, or an unknown id): check rowsAffected === 1.
 */
export function finishIngestRun(end: IngestRunEnd): InStatement {
  const { inserted, updated, skipped } = end.counts;
  let errorClass: string | null = null;
  let errorMessage: string | null = null;
  if (end.status === "failed") {
    errorClass = end.errorClass.trim() || "Error";
    errorMessage = scrubSecrets(end.errorMessage, end.secrets ?? []);
    if (errorMessage.length > MAX_ERROR_MESSAGE_LENGTH) errorMessage = errorMessage.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1) + "…";
  }
  return {
    sql: `UPDATE ingest_runs SET status = ?, finished_at = max(?, started_at), rows_inserted = ?, rows_updated = ?, rows_skipped = ?, error_class = ?, error_message = ?
WHERE id = ? AND status = 'running'`,
    args: [end.status, toUtcSecondFloor(end.finishedAt, "finishedAt"), inserted, updated, skipped, errorClass, errorMessage, end.id],
  };
}
