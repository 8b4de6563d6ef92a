// The pipeline runner on a real (in-memory) libSQL database: step order, outputs passed on, retries
// per step, permanent failures, recorded history, and the lease that keeps two runs apart.
import { createClient } from "@libsql/client";
import { beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../../db/migrate.ts";
import { fixedClock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { memoryLogger } from "../../ports/logger.ts";
import { acquireLease, LeaseHeldError, releaseLease, renewLease } from "./lease.ts";
import { RunLog } from "./run-log.ts";
import { inProcessExecutor, leaseName, NO_RETRY, PermanentStepError, type PipelineDef, runPipeline } from "./runner.ts";

const fast = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2, factor: 1 };

describe("pipeline runner", () => {
  let db: Database;
  const clock = fixedClock("2026-11-27T18:30:00Z");
  let log: RunLog;
  const options = () => ({
    db,
    clock,
    log,
    logger: memoryLogger(),
    locationId: "seoul",
    runDate: "2026-11-27",
    trigger: "test" as const,
    runner: "in_process" as const,
  });

  beforeEach(async () => {
    db = createClient({ url: ":memory:" });
    await migrate(db, { clock });
    log = new RunLog(db, clock);
  });

  it("runs the steps in order, passes outputs on and records every step", async () => {
    const order: string[] = [];
    const def: PipelineDef<{ base: number }> = {
      name: "demo",
      steps: [
        { name: "first", retry: NO_RETRY, run: async ({ ctx }) => (order.push("first"), { value: ctx.base + 1 }) },
        { name: "second", retry: NO_RETRY, run: async ({ outputs }) => (order.push("second"), { value: (outputs.first!.value as number) * 10 }) },
      ],
    };
    const run = await runPipeline(def, { base: 4 }, options(), inProcessExecutor());
    expect(order).toEqual(["first", "second"]);
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => [s.step, s.status, s.attempts, s.output])).toEqual([
      ["first", "succeeded", 1, { value: 5 }],
      ["second", "succeeded", 1, { value: 50 }],
    ]);
    expect(run.finishedAt).toBe("2026-11-27T18:30:00Z");
    // the lease is released afterwards
    expect((await db.execute("SELECT count(*) AS n FROM leases")).rows[0]!.n).toBe(0);
  });

  it("retries a failing step by its own policy and records the attempts", async () => {
    let calls = 0;
    const def: PipelineDef<null> = {
      name: "flaky",
      steps: [{ name: "fetch", retry: fast, run: async () => (++calls < 3 ? Promise.reject(new Error(`transient ${calls}`)) : { calls }) }],
    };
    const run = await runPipeline(def, null, options(), inProcessExecutor());
    expect(run.status).toBe("succeeded");
    expect(run.steps[0]).toMatchObject({ status: "succeeded", attempts: 3, output: { calls: 3 }, errorMessage: null });
  });

  it("fails the run at the step that ran out of retries, skips the rest, and says why", async () => {
    const def: PipelineDef<null> = {
      name: "broken",
      steps: [
        { name: "ok", retry: NO_RETRY, run: async () => ({}) },
        { name: "bad", retry: fast, run: async () => Promise.reject(new Error("KMA is down\nstack")) },
        { name: "never", retry: NO_RETRY, run: async () => ({}) },
      ],
    };
    const run = await runPipeline(def, null, options(), inProcessExecutor());
    expect(run).toMatchObject({ status: "failed", errorStep: "bad", errorClass: "Error", errorMessage: "KMA is down" });
    expect(run.steps.map((s) => [s.step, s.status, s.attempts])).toEqual([
      ["ok", "succeeded", 1],
      ["bad", "failed", 3],
      ["never", "skipped", 0],
    ]);
  });

  it("does not retry a permanent error", async () => {
    let calls = 0;
    const def: PipelineDef<null> = {
      name: "gate",
      steps: [{ name: "check", retry: fast, run: async () => (calls++, Promise.reject(new PermanentStepError("no observations since 2026-11-20"))) }],
    };
    const run = await runPipeline(def, null, options(), inProcessExecutor());
    expect(calls).toBe(1);
    expect(run).toMatchObject({ status: "failed", errorClass: "PermanentStepError", errorMessage: "no observations since 2026-11-20" });
  });

  it("never lets two runs for the same location overlap", async () => {
    // No sleeps: the first run signals from inside its step (so it holds the lease), and the injected
    // clock moves the second start 30 s later, inside the 60 s in-process lease.
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    // Only the first run waits (a second run let in by mistake finishes at once, and the test fails fast).
    const wait = async () => {
      if (calls++ === 0) {
        entered();
        await gate;
      }
      return {};
    };
    const slow: PipelineDef<null> = { name: "train", steps: [{ name: "wait", retry: NO_RETRY, run: wait }] };
    const startedAt = clock.now().toISOString().replace(".000Z", "Z");
    const first = runPipeline(slow, null, options(), inProcessExecutor());
    await inside;
    clock.advance(30_000);
    const refused = await runPipeline(slow, null, options(), inProcessExecutor()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(LeaseHeldError);
    expect(calls).toBe(1);
    const running = await log.listRuns({ locationId: "seoul" });
    expect(running.map((r) => [r.status, r.startedAt])).toEqual([["running", startedAt]]);
    expect((refused as LeaseHeldError).holder).toBe(running[0]!.id);
    // another location is independent
    const other = await runPipeline({ name: "train", steps: [] }, null, { ...options(), locationId: "busan" }, inProcessExecutor());
    expect(other.status).toBe("succeeded");
    release();
    const done = await first;
    expect(done).toMatchObject({ id: running[0]!.id, status: "succeeded" });
    expect((await log.listRuns({ locationId: "seoul" })).length).toBe(1);
    // once the first run has finished, the next one for the same location runs
    const next = await runPipeline({ name: "train", steps: [] }, null, options(), inProcessExecutor());
    expect(next.status).toBe("succeeded");
  });

  it("lets an expired lease be taken over, and the old holder notices it lost it", async () => {
    const name = leaseName("train", "seoul");
    const old = await acquireLease(db, clock, name, "run-old", 60_000);
    await expect(acquireLease(db, clock, name, "run-new", 60_000)).rejects.toThrow("held by run-old");
    clock.advance(61_000);
    const taken = await acquireLease(db, clock, name, "run-new", 60_000);
    expect(taken.holder).toBe("run-new");
    expect(await renewLease(db, clock, old, 60_000)).toBe(false);
    await releaseLease(db, old); // releasing a lease we lost does not free someone else's
    expect((await db.execute({ sql: "SELECT holder FROM leases WHERE name = ?", args: [name] })).rows[0]!.holder).toBe("run-new");
  });
});
