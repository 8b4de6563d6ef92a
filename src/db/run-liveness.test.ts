// Liveness of running runs and reconciling the ones whose process died, on a real (in-memory)
// libSQL database: a run whose heartbeat lease expired is failed (abandoned) with the time it was
// noticed, its pipeline steps closed; a run that keeps beating, or is younger than the grace, is not.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { RunLog } from "../jobs/pipeline/run-log.ts";
import { startRun } from "../jobs/run-log.ts";
import { fixedClock } from "../ports/clock.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { Tracker } from "../tracking/tracker.ts";
import { keepRunAlive, reconcileAbandonedRuns, runLeaseName } from "./run-liveness.ts";

let db: Client;
let clock: ReturnType<typeof fixedClock>;
beforeEach(async () => {
  db = await openMigratedMemoryDb();
  clock = fixedClock("2025-05-29T18:30:00Z");
});
afterEach(() => db.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kill = (table: string, id: string | number) => db.execute({ sql: "DELETE FROM leases WHERE name = ?", args: [`run:${table}:${id}`] });
const row = async (sql: string, id: string | number) => ({ ...(await db.execute({ sql, args: [id] })).rows[0] });

describe("reconcileAbandonedRuns", () => {
  it("fails ingest, training and pipeline runs whose lease expired, as abandoned at the time noticed; steps follow", async () => {
    const ingest = await startRun(db, clock, { job: "import_csv", locationId: "seoul", params: {} });
    const training = await new Tracker({ db, objects: createMemoryObjectStore(), clock }).startRun({ location: "seoul", code: { packageVersion: "0.1.0" } });
    const log = new RunLog(db, clock);
    await log.startRun({
      id: "20250529T183000Z-dead0001",
      pipeline: "daily_train",
      locationId: "seoul",
      runDate: "2025-05-30",
      trigger: "cli",
      runner: "in_process",
      steps: ["check_data", "train", "register"],
    });
    await log.stepStarted("20250529T183000Z-dead0001", "check_data");
    await log.stepFinished("20250529T183000Z-dead0001", "check_data", { status: "succeeded", durationMs: 5 });
    await log.stepStarted("20250529T183000Z-dead0001", "train");

    // alive: all leases live, and within the grace anyway
    expect(await reconcileAbandonedRuns(db, clock)).toEqual({ ingestRuns: 0, trainingRuns: 0, pipelineRuns: 0 });
    clock.advance(10 * 60_000);
    // the processes died: nobody renewed the leases (their heartbeats were in those processes)
    for (const [t, id] of [
      ["ingest_runs", ingest],
      ["training_runs", training],
      ["pipeline_runs", "20250529T183000Z-dead0001"],
    ] as const)
      await kill(t, id);
    expect(await reconcileAbandonedRuns(db, clock)).toEqual({ ingestRuns: 1, trainingRuns: 1, pipelineRuns: 1 });
    expect(await reconcileAbandonedRuns(db, clock)).toEqual({ ingestRuns: 0, trainingRuns: 0, pipelineRuns: 0 }); // idempotent

    const noticed = "2025-05-29T18:40:00Z";
    expect(await row("SELECT status, finished_at, error_class, error_message FROM ingest_runs WHERE id = ?", ingest)).toMatchObject({
      status: "failed",
      finished_at: noticed,
      error_class: "abandoned",
      error_message: expect.stringMatching(`^abandoned: .*noticed at ${noticed}$`),
    });
    expect(await row("SELECT status, ended_at, error_class FROM training_runs WHERE id = ?", training)).toMatchObject({
      status: "failed",
      ended_at: noticed,
      error_class: "abandoned",
    });
    const run = (await log.getRun("20250529T183000Z-dead0001"))!;
    expect(run).toMatchObject({ status: "failed", finishedAt: noticed, durationMs: 600_000, errorStep: "train", errorClass: "abandoned" });
    expect(run.steps.map((s) => [s.step, s.status, s.errorClass])).toEqual([
      ["check_data", "succeeded", null],
      ["train", "failed", "abandoned"],
      ["register", "skipped", null],
    ]);
  });

  it("leaves alone runs that keep beating, a pipeline run holding its pipeline lease, and a training run inside a live pipeline", async () => {
    const ingest = await startRun(db, clock, { job: "import_csv", locationId: "seoul", params: {} });
    await kill("ingest_runs", ingest);
    const beat = await keepRunAlive(db, clock, "ingest_runs", ingest, { ttlMs: 60_000, heartbeatMs: 10 });
    const training = await new Tracker({ db, objects: createMemoryObjectStore(), clock }).startRun({ location: "seoul", code: { packageVersion: "0.1.0" } });
    await kill("training_runs", training);
    const log = new RunLog(db, clock);
    await log.startRun({
      id: "20250529T183000Z-wf000001",
      pipeline: "daily_train",
      locationId: "seoul",
      runDate: "2025-05-30",
      trigger: "cron",
      runner: "workflow",
      steps: ["train"],
    });
    await kill("pipeline_runs", "20250529T183000Z-wf000001");
    clock.advance(5 * 60_000);
    // a Workflows run between steps: no heartbeat, but it holds its (long) pipeline lease
    await db.execute({
      sql: "INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES ('pipeline:daily_train:seoul', '20250529T183000Z-wf000001', '2025-05-29T18:30:00Z', '2025-05-29T18:45:00Z')",
    });
    await sleep(50); // the heartbeat renews from the (advanced) clock
    expect(await reconcileAbandonedRuns(db, clock)).toEqual({ ingestRuns: 0, trainingRuns: 0, pipelineRuns: 0 });
    await beat.stop();
    expect((await db.execute({ sql: "SELECT 1 FROM leases WHERE name = ?", args: [runLeaseName("ingest_runs", ingest)] })).rows).toHaveLength(0);
    clock.advance(20 * 60_000); // the pipeline lease expired too
    expect(await reconcileAbandonedRuns(db, clock)).toEqual({ ingestRuns: 1, trainingRuns: 1, pipelineRuns: 1 });
  });

  it("the heartbeat stops by itself once the run is no longer running", async () => {
    const ingest = await startRun(db, clock, { job: "import_csv", locationId: "seoul", params: {} });
    await keepRunAlive(db, clock, "ingest_runs", ingest, { heartbeatMs: 10 });
    await db.execute({ sql: "UPDATE ingest_runs SET status = 'succeeded', finished_at = started_at WHERE id = ?", args: [ingest] });
    await sleep(60);
    expect((await db.execute({ sql: "SELECT 1 FROM leases WHERE name = ?", args: [runLeaseName("ingest_runs", ingest)] })).rows).toHaveLength(0);
  });
});
