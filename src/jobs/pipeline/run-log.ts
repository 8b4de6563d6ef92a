// Records of pipeline runs and their steps (the run history people read in Airflow's grid view).
import { errorClassOf, errorMessageOf } from "../../errors/one-line.ts";
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { keepRunAlive, runLeaseName } from "../../db/run-liveness.ts";
import { toUtcSecondFloor } from "../../db/utc-time.ts";

export type Trigger = "cron" | "cli" | "admin" | "startup" | "test";
export type Runner = "in_process" | "workflow";
export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";

export interface RunRecord {
  id: string;
  pipeline: string;
  locationId: string;
  runDate: string;
  trigger: Trigger;
  runner: Runner;
  status: "running" | "succeeded" | "failed";
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  errorStep: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  steps: StepRecord[];
}

export interface StepRecord {
  seq: number;
  step: string;
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  output: Record<string, unknown> | null;
  errorClass: string | null;
  errorMessage: string | null;
}

const MAX_MESSAGE = 4000;

/** The first line of the error's message (src/errors/one-line.ts), at most MAX_MESSAGE characters. */
export function oneLineMessage(e: unknown): string {
  return errorMessageOf(e, { max: MAX_MESSAGE, firstLine: true });
}

export { errorClassOf } from "../../errors/one-line.ts";

export class RunLog {
  readonly #db: Database;
  readonly #clock: Clock;
  constructor(db: Database, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  #now(): string {
    return toUtcSecondFloor(this.#clock.now());
  }

  async startRun(run: {
    id: string;
    pipeline: string;
    locationId: string;
    runDate: string;
    trigger: Trigger;
    runner: Runner;
    steps: readonly string[];
  }): Promise<void> {
    const now = this.#now();
    await this.#db.batch(
      [
        {
          sql: "INSERT INTO pipeline_runs (id, pipeline, location_id, run_date, trigger, runner, status, started_at) VALUES (?, ?, ?, ?, ?, ?, 'running', ?)",
          args: [run.id, run.pipeline, run.locationId, run.runDate, run.trigger, run.runner, now],
        },
        ...run.steps.map((step, seq) => ({
          sql: "INSERT INTO pipeline_steps (run_id, seq, step, status) VALUES (?, ?, ?, 'pending')",
          args: [run.id, seq, step],
        })),
      ],
      "write",
    );
    await keepRunAlive(this.#db, this.#clock, "pipeline_runs", run.id);
  }

  /** Counts the attempt in the database, so retries by any runner (in-process, Workflows) are seen. */
  async stepStarted(runId: string, step: string): Promise<number> {
    const r = await this.#db.execute({
      sql: "UPDATE pipeline_steps SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, ?) WHERE run_id = ? AND step = ? RETURNING attempts",
      args: [this.#now(), runId, step],
    });
    return Number(r.rows[0]?.attempts ?? 0);
  }

  async stepAttemptFailed(runId: string, step: string, attempt: number, e: unknown, durationMs: number): Promise<void> {
    // The step stays running (it may be retried); the last attempt's error and time are kept.
    await this.#db.execute({
      sql: "UPDATE pipeline_steps SET duration_ms = ?, error_message = ? WHERE run_id = ? AND step = ?",
      args: [Math.round(durationMs), `attempt ${attempt}: ${oneLineMessage(e)}`.slice(0, MAX_MESSAGE), runId, step],
    });
  }

  async stepFinished(
    runId: string,
    step: string,
    r: { status: "succeeded" | "skipped"; durationMs: number; output?: Record<string, unknown> | null },
  ): Promise<void> {
    await this.#db.execute({
      sql: "UPDATE pipeline_steps SET status = ?, finished_at = ?, duration_ms = ?, output = ?, error_class = NULL, error_message = NULL WHERE run_id = ? AND step = ?",
      args: [r.status, this.#now(), Math.round(r.durationMs), r.output ? JSON.stringify(r.output) : null, runId, step],
    });
  }

  async stepFailed(runId: string, step: string, e: unknown): Promise<void> {
    await this.#db.execute({
      sql: "UPDATE pipeline_steps SET status = 'failed', finished_at = ?, error_class = ?, error_message = ? WHERE run_id = ? AND step = ?",
      args: [this.#now(), errorClassOf(e), oneLineMessage(e), runId, step],
    });
  }

  async finishRun(runId: string, outcome: { ok: true } | { ok: false; step: string; error: unknown }): Promise<void> {
    const now = this.#now();
    const started = await this.#db.execute({ sql: "SELECT started_at FROM pipeline_runs WHERE id = ?", args: [runId] });
    const durationMs = Math.max(0, this.#clock.now().getTime() - Date.parse(String(started.rows[0]?.started_at)));
    const stmts = [
      outcome.ok
        ? { sql: "UPDATE pipeline_runs SET status = 'succeeded', finished_at = ?, duration_ms = ? WHERE id = ?", args: [now, durationMs, runId] }
        : {
            sql: "UPDATE pipeline_runs SET status = 'failed', finished_at = ?, duration_ms = ?, error_step = ?, error_class = ?, error_message = ? WHERE id = ?",
            args: [now, durationMs, outcome.step, errorClassOf(outcome.error), oneLineMessage(outcome.error), runId],
          },
      // steps that never ran
      { sql: "UPDATE pipeline_steps SET status = 'skipped' WHERE run_id = ? AND status = 'pending'", args: [runId] },
      // the run's heartbeat lease (its timer stops at its next beat)
      { sql: "DELETE FROM leases WHERE name = ?", args: [runLeaseName("pipeline_runs", runId)] },
    ];
    await this.#db.batch(stmts, "write");
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const runs = await this.#db.execute({ sql: "SELECT * FROM pipeline_runs WHERE id = ?", args: [runId] });
    const row = runs.rows[0];
    if (!row) return undefined;
    return (await this.#withSteps([row]))[0];
  }

  async listRuns(filter: { locationId?: string; pipeline?: string; limit?: number } = {}): Promise<RunRecord[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.locationId) where.push("location_id = ?"), args.push(filter.locationId);
    if (filter.pipeline) where.push("pipeline = ?"), args.push(filter.pipeline);
    args.push(Math.min(Math.max(filter.limit ?? 20, 1), 500));
    const runs = await this.#db.execute({
      sql: `SELECT * FROM pipeline_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, id DESC LIMIT ?`,
      args,
    });
    return this.#withSteps(runs.rows);
  }

  async #withSteps(rows: readonly Record<string, unknown>[]): Promise<RunRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => String(r.id));
    const steps = await this.#db.execute({
      sql: `SELECT * FROM pipeline_steps WHERE run_id IN (${ids.map(() => "?").join(",")}) ORDER BY run_id, seq`,
      args: ids,
    });
    const byRun = new Map<string, StepRecord[]>();
    for (const s of steps.rows) {
      const list = byRun.get(String(s.run_id)) ?? [];
      list.push({
        seq: Number(s.seq),
        step: String(s.step),
        status: String(s.status) as StepStatus,
        attempts: Number(s.attempts),
        startedAt: (s.started_at as string | null) ?? null,
        finishedAt: (s.finished_at as string | null) ?? null,
        durationMs: s.duration_ms === null ? null : Number(s.duration_ms),
        output: s.output ? (JSON.parse(String(s.output)) as Record<string, unknown>) : null,
        errorClass: (s.error_class as string | null) ?? null,
        errorMessage: (s.error_message as string | null) ?? null,
      });
      byRun.set(String(s.run_id), list);
    }
    return rows.map((r) => ({
      id: String(r.id),
      pipeline: String(r.pipeline),
      locationId: String(r.location_id),
      runDate: String(r.run_date),
      trigger: String(r.trigger) as Trigger,
      runner: String(r.runner) as Runner,
      status: String(r.status) as RunRecord["status"],
      startedAt: String(r.started_at),
      finishedAt: (r.finished_at as string | null) ?? null,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      errorStep: (r.error_step as string | null) ?? null,
      errorClass: (r.error_class as string | null) ?? null,
      errorMessage: (r.error_message as string | null) ?? null,
      steps: byRun.get(String(r.id)) ?? [],
    }));
  }
}
