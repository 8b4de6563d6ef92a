// Ingest-run bookkeeping for the jobs, over src/db/ingest-runs.ts:
//   - a run row is inserted as 'running' before anything else happens (its own statement, committed
//     at once), so a crash at any later point leaves a visible 'running' row, never nothing;
//   - a successful step finishes the run inside the same transaction as its rows (commit-rows.ts);
//   - a failure finishes it as 'failed' with the error class (e.g. 'KmaError:no-data',
//     'ObjectStoreError:storage', 'LibsqlError:SQLITE_CONSTRAINT_CHECK') and a one-line, redacted message.
import { errorClassOf, errorMessageOf as errorMessageOfError } from "../errors/one-line.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { finishIngestRun, startIngestRun } from "../db/ingest-runs.ts";
import { keepRunAlive } from "../db/run-liveness.ts";
import type { UpsertCounts } from "../db/upsert-counts.ts";

export const ZERO_COUNTS: Readonly<UpsertCounts> = Object.freeze({ inserted: 0, updated: 0, skipped: 0 });

/** The error's class and one-line, redacted message (src/errors/one-line.ts). */
export function errorMessageOf(e: unknown, redact: (text: string) => string): string {
  return errorMessageOfError(e, { redact });
}

export { errorClassOf } from "../errors/one-line.ts";

export interface RunStart {
  job: string;
  locationId: string | null;
  params: Record<string, unknown>;
}

export async function startRun(db: Database, clock: Clock, run: RunStart): Promise<number> {
  const rs = await db.execute(startIngestRun({ ...run, startedAt: clock.now() }));
  const id = rs.rows[0]?.id;
  if (typeof id !== "number" && typeof id !== "bigint") throw new Error("inserting the ingest run returned no id");
  // Heartbeat until the run is finished; if this process dies, the run is reconciled as abandoned.
  await keepRunAlive(db, clock, "ingest_runs", Number(id));
  return Number(id);
}

/** Replaces the run's params (e.g. once the base time actually fetched is known). */
export function runParamsStatement(runId: number, params: Record<string, unknown>) {
  return { sql: "UPDATE ingest_runs SET params = ? WHERE id = ?", args: [JSON.stringify(params), runId] };
}

/** Adds a committed chunk's counts to a running run (for jobs that commit in several transactions). */
export function addRunCountsStatement(runId: number, counts: UpsertCounts) {
  return {
    sql: "UPDATE ingest_runs SET rows_inserted = rows_inserted + ?, rows_updated = rows_updated + ?, rows_skipped = rows_skipped + ? WHERE id = ? AND status = 'running'",
    args: [counts.inserted, counts.updated, counts.skipped, runId],
  };
}

export function succeededRunStatement(runId: number, clock: Clock, counts: UpsertCounts) {
  return finishIngestRun({ id: runId, finishedAt: clock.now(), status: "succeeded", counts });
}

export interface RecordedFailure {
  errorClass: string;
  errorMessage: string;
  /** Set when the failure itself could not be written (the database is unreachable, ...). */
  recordError?: string;
}

/**
 * Finishes the run as failed. Never throws: when the database cannot take the record either, the
 * returned recordError says why (the caller logs it; the row then stays 'running').
 */
export async function recordRunFailure(
  db: Database,
  clock: Clock,
  runId: number,
  error: unknown,
  counts: UpsertCounts,
  redact: (text: string) => string,
  params?: Record<string, unknown>,
): Promise<RecordedFailure> {
  const errorClass = errorClassOf(error);
  const errorMessage = errorMessageOf(error, redact);
  try {
    const statements = [
      ...(params ? [runParamsStatement(runId, params)] : []),
      finishIngestRun({ id: runId, finishedAt: clock.now(), status: "failed", counts, errorClass, errorMessage }),
    ];
    const results = await db.batch(statements, "write");
    if (results[results.length - 1]!.rowsAffected !== 1) return { errorClass, errorMessage, recordError: `ingest run ${runId} was not running any more` };
    return { errorClass, errorMessage };
  } catch (e) {
    return { errorClass, errorMessage, recordError: `${errorClassOf(e)}: ${errorMessageOf(e, redact)}` };
  }
}
