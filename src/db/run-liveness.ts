// Liveness of running runs, and reconciling the ones whose process died.
//
// A run row ('running' in ingest_runs, training_runs or pipeline_runs) is kept alive by a lease
// named `run:<table>:<id>` in the `leases` table, renewed every quarter of its TTL by the process that runs
// it (keepRunAlive). The heartbeat stops by itself once the row is no longer running (or the
// database is closed), so callers only start it. A process killed with `kill -9` stops renewing:
// at most the TTL (60 s) later its lease has expired and reconcileAbandonedRuns marks the row
// `failed` with error_class 'abandoned', finished_at = the time it was noticed, and a message saying
// so (steps of an abandoned pipeline run likewise: running -> failed, pending -> skipped).
//
// A pipeline run also counts as alive while it holds its pipeline lease (Workflows runs, whose
// steps may be paused for minutes between heartbeats, keep a long one), and a training run while
// any pipeline lease of its location is live (it runs inside one).
import type { Clock } from "../ports/clock.ts";
import type { Database, InStatement } from "../ports/database.ts";
import { toUtcSecondFloor } from "./utc-time.ts";

/** A run lease lasts this long without renewal: a dead holder is noticed within about a minute. */
export const RUN_LEASE_TTL_MS = 60_000;
export const ABANDONED = "abandoned";

let leaseTtlMs = RUN_LEASE_TTL_MS;

/** The lease time to live in force (RUN_LEASE_TTL_MS unless configured); renewed every quarter of it. */
export function runLeaseTtlMs(): number {
  return leaseTtlMs;
}

/** Sets the lease time to live for this process (the CLI reads RUN_LEASE_SECONDS; tests use seconds). */
export function configureRunLiveness(o: { ttlMs: number }): void {
  if (!Number.isInteger(o.ttlMs) || o.ttlMs < 2_000 || o.ttlMs > 3_600_000) throw new RangeError(`the run lease must last 2 s to 1 h, got ${o.ttlMs} ms`);
  leaseTtlMs = o.ttlMs;
}

export type RunTable = "ingest_runs" | "training_runs" | "pipeline_runs";

export const runLeaseName = (table: RunTable, id: string | number) => `run:${table}:${id}`;

type Timer = ReturnType<typeof setInterval>;

/** A timer that does not keep a CLI process alive (Node: unref; Deno: Deno.unrefTimer). */
export function unrefTimer(t: Timer): void {
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof t === "number") deno?.unrefTimer?.(t);
  else (t as { unref?: () => void }).unref?.();
}

export interface KeepAlive {
  /** Stops renewing and removes the lease (optional: the heartbeat stops by itself when the run ends). */
  stop(): Promise<void>;
}

/**
 * Takes the run's lease and renews it every `heartbeatMs` while the row is still 'running'.
 * Never throws: liveness is bookkeeping, a failure to write it must not fail the run (at worst the
 * run is reconciled as abandoned later, and its own finish then finds it no longer running).
 */
export async function keepRunAlive(
  db: Database,
  clock: Clock,
  table: RunTable,
  id: string | number,
  o: { ttlMs?: number; heartbeatMs?: number } = {},
): Promise<KeepAlive> {
  const ttl = o.ttlMs ?? leaseTtlMs;
  const name = runLeaseName(table, id);
  const holder = `${table}:${id}`;
  const expires = () => toUtcSecondFloor(new Date(clock.now().getTime() + ttl));
  let timer: Timer | undefined;
  let stopped = false;
  const stop = async () => {
    stopped = true;
    if (timer !== undefined) clearInterval(timer);
    await db.execute({ sql: "DELETE FROM leases WHERE name = ?", args: [name] }).catch(() => undefined);
  };
  try {
    await db.execute({
      sql: `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
      args: [name, holder, toUtcSecondFloor(clock.now()), expires()],
    });
  } catch {
    return { stop: async () => undefined };
  }
  timer = setInterval(
    () => {
      if (stopped) return;
      db.execute({
        sql: `UPDATE leases SET expires_at = ? WHERE name = ? AND EXISTS (SELECT 1 FROM ${table} WHERE id = ? AND status = 'running')`,
        args: [expires(), name, id],
      }).then(
        (r) => {
          if (r.rowsAffected === 0) void stop(); // the run ended (or was reconciled): nothing to keep alive
        },
        () => void stop(), // database closed or gone: this process is done with it
      );
    },
    o.heartbeatMs ?? Math.floor(ttl / 4),
  );
  unrefTimer(timer);
  return { stop };
}

export interface ReconcileResult {
  ingestRuns: number;
  trainingRuns: number;
  pipelineRuns: number;
}

/**
 * Marks every run that is 'running' but has no live lease, and started more than `graceMs` ago,
 * as failed (abandoned). Safe to call from any process at any time; concurrent callers do the same
 * idempotent updates.
 */
export async function reconcileAbandonedRuns(db: Database, clock: Clock, o: { graceMs?: number } = {}): Promise<ReconcileResult> {
  const nowDate = clock.now();
  const now = toUtcSecondFloor(nowDate);
  const before = toUtcSecondFloor(new Date(nowDate.getTime() - (o.graceMs ?? leaseTtlMs)));
  const message = (what: string) => `abandoned: the process running this ${what} stopped (its heartbeat lease expired); noticed at ${now}`;
  const live = (table: RunTable, idExpr: string) =>
    `EXISTS (SELECT 1 FROM leases WHERE name = '${runLeaseName(table, "")}' || ${idExpr} AND expires_at > :now)`;
  const args = { now, before };

  const pipelineIds = (
    await db.execute({
      sql: `SELECT id FROM pipeline_runs r WHERE status = 'running' AND started_at < :before AND NOT ${live("pipeline_runs", "r.id")}
              AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.holder = r.id AND l.name = 'pipeline:' || r.pipeline || ':' || r.location_id AND l.expires_at > :now)`,
      args,
    })
  ).rows.map((r) => String(r.id));
  const statements: InStatement[] = [
    {
      sql: `UPDATE ingest_runs SET status = 'failed', finished_at = max(:now, started_at), error_class = '${ABANDONED}', error_message = :message
            WHERE status = 'running' AND started_at < :before AND NOT ${live("ingest_runs", "ingest_runs.id")}`,
      args: { ...args, message: message("ingest run") },
    },
    {
      sql: `UPDATE training_runs SET status = 'failed', ended_at = max(:now, started_at), error_class = '${ABANDONED}', error_message = :message
            WHERE status = 'running' AND started_at < :before AND NOT ${live("training_runs", "training_runs.id")}
              AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.name LIKE 'pipeline:%:' || training_runs.location_id AND l.expires_at > :now)`,
      args: { ...args, message: message("training run") },
    },
  ];
  for (const id of pipelineIds) {
    const a = { now, id, message: message("pipeline run") };
    statements.push(
      {
        sql: "UPDATE pipeline_steps SET status = 'failed', finished_at = :now, error_class = 'abandoned', error_message = :message WHERE run_id = :id AND status = 'running'",
        args: a,
      },
      { sql: "UPDATE pipeline_steps SET status = 'skipped' WHERE run_id = :id AND status = 'pending'", args: { id } },
      {
        sql: `UPDATE pipeline_runs SET status = 'failed', finished_at = max(:now, started_at), error_class = 'abandoned', error_message = :message,
                duration_ms = max(0, CAST((julianday(:now) - julianday(started_at)) * 86400000 AS INTEGER)),
                error_step = (SELECT step FROM pipeline_steps WHERE run_id = :id AND status = 'failed' ORDER BY seq LIMIT 1)
              WHERE id = :id AND status = 'running'`,
        args: a,
      },
    );
  }
  // heartbeat leases of runs that ended without removing theirs (killed, or ended between beats)
  statements.push({ sql: "DELETE FROM leases WHERE name LIKE 'run:%' AND expires_at <= :now", args: { now } });
  const results = await db.batch(statements, "write");
  return {
    ingestRuns: results[0]!.rowsAffected,
    trainingRuns: results[1]!.rowsAffected,
    pipelineRuns: results
      .slice(2, -1)
      .filter((_, i) => i % 3 === 2)
      .reduce((n, r) => n + r.rowsAffected, 0),
  };
}
