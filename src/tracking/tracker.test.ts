// Experiment tracking on a real (in-memory) libSQL database and the memory object store.
// Runs in Node (vitest) and Deno.
import { beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { fixedClock } from "../ports/clock.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { sha256Hex } from "../ids/sha256.ts";
import { ArtifactIntegrityError, RunNotFoundError, RunStateError, TrackingInputError } from "./errors.ts";
import { fingerprintDataset } from "./dataset-fingerprint.ts";
import { RUN_ID_PATTERN } from "./run-id.ts";
import { Tracker } from "./tracker.ts";
import { openMigratedMemoryDb, recordRun, seedRun } from "./testing/seed.ts";

let db: Client;
let objects: ObjectStore;
let clock: ReturnType<typeof fixedClock>;
let tracker: Tracker;
const code = { packageVersion: "0.1.0", gitCommit: "ABCDEF0123" };

beforeEach(async () => {
  db = await openMigratedMemoryDb();
  objects = createMemoryObjectStore();
  clock = fixedClock("2025-05-29T18:30:00.250Z");
  tracker = new Tracker({ db, objects, clock });
});

const holdout = {
  from: "2025-04-01T00:00Z", // the model code's isoHour() form: normalized to seconds
  to: Date.parse("2025-05-01T00:00:00Z"),
  n: 720,
  model: { rmse: 1.8, mae: 1.4, bias: 0.1 },
  persistence: { rmse: 2.2, mae: 1.7, bias: 0 },
  climatology: { rmse: Number.NaN, mae: Number.NaN, bias: Number.NaN }, // no climatology fitted
  kma: null,
  skill: 1 - 1.8 / 2.2,
};

describe("a run step by step", () => {
  it("starts as running with a time-sortable id, params and code version", async () => {
    const id = await tracker.startRun({ location: "seoul", code, params: { num_leaves: 31 } });
    expect(id).toMatch(RUN_ID_PATTERN);
    expect(id.startsWith("20250529T183000Z-")).toBe(true);
    const run = await tracker.getRun(id);
    expect(run).toMatchObject({
      id,
      location: "seoul",
      status: "running",
      startedAt: "2025-05-29T18:30:00Z",
      endedAt: null,
      durationMs: null,
      params: { num_leaves: 31 },
      code: { packageVersion: "0.1.0", gitCommit: "abcdef0123" },
      dataset: null,
      error: null,
      artifacts: [],
    });
    const other = await tracker.startRun({ location: "seoul", code });
    expect(other).not.toBe(id);
  });

  it("records params, dataset, metrics, phases and verified artifacts, then ends", async () => {
    const id = await tracker.startRun({ location: "seoul", code });
    await tracker.logParams(id, { objective: "regression", learning_rate: 0.05, split: { holdout_days: 30 } });
    await tracker.logParams(id, { objective: "regression", seed: 7 }); // same value again: fine
    const fp = await fingerprintDataset({
      data: [1, 2, 3, 4],
      labels: [0.5, -0.5],
      features: ["temperature", "humidity"],
      from: "2024-01-01T00:00:00Z",
      to: "2025-04-01T00:00:00+09:00",
      featureSpecVersion: "nalssi-features-v1",
    });
    await tracker.logDataset(id, fp);
    await tracker.logMetrics(id, { holdout, by_month: [{ month: "2025-04", n: 720, skill: 0.18, kma: null }] });
    await tracker.logMetrics(id, { best_iteration: 412 });
    await tracker.logPhases(id, { features: 1203.4, train: 30412 });
    const model = await tracker.logArtifact(id, "model.txt", "tree\nversion=v4\n");
    const spec = await tracker.logJsonArtifact(id, "features.json", { version: "nalssi-features-v1", features: ["temperature", "humidity"] });
    clock.advance(95_000);
    await tracker.endRun(id, { status: "succeeded" });

    const run = (await tracker.getRun(id))!;
    expect(run.status).toBe("succeeded");
    expect(run.endedAt).toBe("2025-05-29T18:31:35Z");
    expect(run.durationMs).toBe(95_000);
    expect(run.params).toEqual({ objective: "regression", learning_rate: 0.05, split: { holdout_days: 30 }, seed: 7 });
    expect(run.dataset).toEqual({ ...fp, from: "2024-01-01T00:00:00Z", to: "2025-03-31T15:00:00Z" });
    expect(run.metrics.holdout).toMatchObject({
      from: "2025-04-01T00:00:00Z",
      to: "2025-05-01T00:00:00Z",
      n: 720,
      climatology: { rmse: null, mae: null, bias: null },
    });
    expect(run.metrics.best_iteration).toBe(412);
    expect(run.phases).toEqual({ features: 1203.4, train: 30412 });
    expect(run.artifacts.map((a) => a.name)).toEqual(["features.json", "model.txt"]);
    expect(model.key).toBe(`models/seoul/${id}/model.txt`);
    expect(model.sha256).toBe(await sha256Hex(new TextEncoder().encode("tree\nversion=v4\n")));
    expect(model.contentType).toBe("text/plain; charset=utf-8");
    const stored = (await objects.get(spec.key))!;
    expect(JSON.parse(new TextDecoder().decode(stored.body))).toEqual({ version: "nalssi-features-v1", features: ["temperature", "humidity"] });
    expect(stored.sha256).toBe(spec.sha256);
    expect(stored.metadata).toEqual({ sha256: spec.sha256, run_id: id });
  });

  it("refuses to change a parameter once logged", async () => {
    const id = await tracker.startRun({ location: "seoul", code, params: { num_leaves: 31 } });
    await expect(tracker.logParams(id, { num_leaves: 63 })).rejects.toThrow(/parameter num_leaves of run .* is already 31; it cannot change to 63/);
    expect((await tracker.getRun(id))!.params).toEqual({ num_leaves: 31 });
  });

  it.each([
    { params: { lr: Number.NaN }, message: /params.lr is NaN/ },
    { params: { when: new Date(0) }, message: /params.when is a Date/ },
    { params: { serviceKey: "abc" }, message: /params.serviceKey looks like a credential/ },
    { params: { nested: { LIBSQL_AUTH_TOKEN: "x" } }, message: /params.nested.LIBSQL_AUTH_TOKEN looks like a credential/ },
    { params: { arr: new Float64Array(2) }, message: /params.arr is a Float64Array/ },
  ])("rejects bad params ($message)", async ({ params, message }) => {
    await expect(tracker.startRun({ location: "seoul", code, params })).rejects.toThrow(message);
  });

  it("rejects a bad location or code version", async () => {
    await expect(tracker.startRun({ location: "Seoul", code })).rejects.toBeInstanceOf(TrackingInputError);
    await expect(tracker.startRun({ location: "seoul", code: { packageVersion: "" } })).rejects.toThrow(/packageVersion/);
    await expect(tracker.startRun({ location: "seoul", code: { packageVersion: "1", gitCommit: "not-a-sha" } })).rejects.toThrow(/gitCommit/);
  });

  it("validates metrics and names the bad field", async () => {
    const id = await tracker.startRun({ location: "seoul", code });
    const { persistence: _, ...noPersistence } = holdout;
    await expect(tracker.logMetrics(id, { holdout: noPersistence as never })).rejects.toThrow(/metrics\.holdout\.persistence/);
    await expect(tracker.logMetrics(id, { holdout: { ...holdout, model: { rmse: Number.NaN, mae: 1 } } })).rejects.toThrow(/metrics\.holdout\.model\.rmse/);
    await expect(tracker.logMetrics(id, { holdout: { ...holdout, model: { rmse: -1, mae: 1 } } })).rejects.toThrow(/metrics\.holdout\.model\.rmse/);
    await expect(tracker.logMetrics(id, { holdout: { ...holdout, to: "2025-04-01T00:00:00Z" } })).rejects.toThrow(
      /metrics\.holdout\.to: must end after it starts/,
    );
    await expect(tracker.logMetrics(id, { holdout: { ...holdout, from: "2025-04-01 00:00" } })).rejects.toThrow(/ISO 8601/);
    await expect(tracker.logMetrics(id, { by_month: [{ month: "2025-4" }] })).rejects.toThrow(/by_month\.0\.month/);
    expect((await tracker.getRun(id))!.metrics).toEqual({});
  });

  it("keeps a dataset fingerprint once", async () => {
    const id = await tracker.startRun({ location: "seoul", code });
    const fp = await fingerprintDataset({ data: [1], labels: [2], features: ["t"], from: 0, to: 3_600_000, featureSpecVersion: "v1" });
    await tracker.logDataset(id, fp);
    await expect(tracker.logDataset(id, fp)).rejects.toThrow(/already has a dataset fingerprint/);
  });
});

describe("finished and unknown runs", () => {
  it("refuses to log to a finished run, and the schema refuses it too", async () => {
    const id = await tracker.startRun({ location: "seoul", code });
    await tracker.endRun(id, { status: "succeeded" });
    await expect(tracker.logParams(id, { a: 1 })).rejects.toBeInstanceOf(RunStateError);
    await expect(tracker.logMetrics(id, { holdout })).rejects.toThrow(/has already ended \(succeeded\)/);
    await expect(tracker.logArtifact(id, "model.txt", "x")).rejects.toBeInstanceOf(RunStateError);
    await expect(tracker.endRun(id, { status: "failed", error: new Error("late") })).rejects.toBeInstanceOf(RunStateError);
    await expect(db.execute({ sql: "UPDATE training_runs SET params = '{\"a\":1}' WHERE id = ?", args: [id] })).rejects.toThrow(/a finished run cannot change/);
    await expect(
      db.execute({ sql: "INSERT INTO run_artifacts VALUES (?, 'x.txt', 'k', ?, 1, NULL, '2025-05-29T18:30:00Z')", args: [id, "0".repeat(64)] }),
    ).rejects.toThrow(/has already ended/);
  });

  it("says which run does not exist", async () => {
    const missing = "20250529T183000Z-00000000";
    await expect(tracker.logParams(missing, { a: 1 })).rejects.toBeInstanceOf(RunNotFoundError);
    await expect(tracker.endRun(missing, { status: "succeeded" })).rejects.toThrow(`no training run "${missing}"`);
    expect(await tracker.getRun(missing)).toBeNull();
    await expect(tracker.compareRuns(missing, missing)).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it("rejects times the database could not check (strftime NULL is not a pass)", async () => {
    await expect(
      db.execute("INSERT INTO training_runs (id, location_id, started_at, package_version) VALUES ('20250529T183000Z-aaaaaaaa', 'seoul', 'garbage', '1')"),
    ).rejects.toThrow(/CHECK constraint failed/);
    await expect(
      db.execute(
        "INSERT INTO training_runs (id, location_id, started_at, package_version) VALUES ('20250529T183000Z-aaaaaaaa', 'seoul', '2025-02-30T00:00:00Z', '1')",
      ),
    ).rejects.toThrow(/CHECK constraint failed/);
  });
});

describe("a run recorded around work (startRun, timePhase, endRun)", () => {
  it("ends the run as succeeded and returns the work's result", async () => {
    const { runId, result } = await recordRun(tracker, { location: "seoul", code }, async (run) => {
      await run.logParams({ a: 1 });
      return run.timePhase("train", () => 42);
    });
    expect(result).toBe(42);
    const run = (await tracker.getRun(runId))!;
    expect(run.status).toBe("succeeded");
    expect(typeof run.phases.train).toBe("number");
  });

  it("records a failure with the error's class and a redacted message, and rethrows it", async () => {
    class LightGBMError extends Error {
      override name = "LightGBMError";
    }
    const secret = "sk-THE-SERVICE-KEY-1234";
    const failure = new LightGBMError(`training failed while fetching with key ${secret}`);
    let runId = "";
    await expect(
      recordRun(
        tracker,
        { location: "seoul", code },
        async (run) => {
          runId = run.id;
          await run.timePhase("train", () => {
            throw failure;
          });
        },
        { secrets: [secret] },
      ),
    ).rejects.toBe(failure);
    const run = (await tracker.getRun(runId))!;
    expect(run.status).toBe("failed");
    expect(run.error).toEqual({ class: "LightGBMError", message: "training failed while fetching with key [REDACTED]" });
    expect(run.phases.train).toBeGreaterThanOrEqual(0); // the failed phase's duration is kept
    expect(JSON.stringify(await db.execute("SELECT * FROM training_runs")).includes(secret)).toBe(false);
  });
});

describe("artifacts", () => {
  it("are checked by reading them back: a store that returns other bytes is caught and nothing is recorded", async () => {
    const inner = createMemoryObjectStore();
    const corrupting: ObjectStore = {
      ...inner,
      get: async (key) => {
        const o = await inner.get(key);
        if (o === null) return null;
        const body = o.body.slice();
        body[0] = body[0]! ^ 1;
        return { ...o, body };
      },
    };
    const t = new Tracker({ db, objects: corrupting, clock });
    const id = await t.startRun({ location: "seoul", code });
    await expect(t.logArtifact(id, "model.txt", "tree\n")).rejects.toBeInstanceOf(ArtifactIntegrityError);
    expect((await t.getRun(id))!.artifacts).toEqual([]);
  });

  it("are written once per name, with names that are safe keys", async () => {
    const id = await tracker.startRun({ location: "seoul", code });
    await tracker.logArtifact(id, "model.txt", "a");
    await expect(tracker.logArtifact(id, "model.txt", "b")).rejects.toThrow(/already has an artifact "model.txt"/);
    expect(new TextDecoder().decode((await objects.get(`models/seoul/${id}/model.txt`))!.body)).toBe("a");
    await expect(tracker.logArtifact(id, "../escape.txt", "x")).rejects.toBeInstanceOf(TrackingInputError);
    const bin = await tracker.logArtifact(id, "weights.bin", new Uint8Array([0, 255]));
    expect(bin).toMatchObject({ sizeBytes: 2, contentType: "application/octet-stream" });
  });
});

describe("listRuns and compareRuns", () => {
  it("lists newest first with holdout scores, filtered by location and status", async () => {
    const a = await seedRun(tracker, { rmse: 2.0, persistenceRmse: 2.2 });
    clock.advance(60_000);
    const b = await seedRun(tracker, { rmse: 1.8, persistenceRmse: 2.2, location: "busan" });
    clock.advance(60_000);
    const failed = (await tracker.startRun({ location: "seoul", code }))!;
    await tracker.endRun(failed, { status: "failed", error: "boom" });

    const all = await tracker.listRuns();
    expect(all.map((r) => r.id)).toEqual([failed, b, a]);
    expect(all[1]).toMatchObject({ location: "busan", status: "succeeded", rmse: 1.8, persistenceRmse: 2.2 });
    expect(all[1]!.skill).toBeCloseTo(1 - 1.8 / 2.2, 12);
    expect(all[0]).toMatchObject({ status: "failed", errorClass: "Error", rmse: null, durationMs: 0 });
    expect((await tracker.listRuns({ location: "seoul" })).map((r) => r.id)).toEqual([failed, a]);
    expect((await tracker.listRuns({ status: "succeeded", limit: 1 })).map((r) => r.id)).toEqual([b]);
    await expect(tracker.listRuns({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(tracker.listRuns({ location: "Not A Slug" })).rejects.toBeInstanceOf(TrackingInputError);
  });

  it("compares parameters, metrics (by month) and run facts, marking differences", async () => {
    const a = await seedRun(tracker, { rmse: 2.0, persistenceRmse: 2.2, params: { num_leaves: 31 } });
    clock.advance(1000);
    const b = await seedRun(tracker, { rmse: 1.8, persistenceRmse: 2.2, params: { num_leaves: 63, min_data_in_leaf: 20 } });
    const c = await tracker.compareRuns(a, b);
    expect(c.params.find((d) => d.key === "num_leaves")).toEqual({ key: "num_leaves", a: 31, b: 63, same: false, delta: 32 });
    expect(c.params.find((d) => d.key === "min_data_in_leaf")).toEqual({ key: "min_data_in_leaf", a: undefined, b: 20, same: false });
    expect(c.params.find((d) => d.key === "objective")).toMatchObject({ same: true });
    const rmse = c.metrics.find((d) => d.key === "holdout.model.rmse")!;
    expect(rmse).toMatchObject({ a: 2.0, b: 1.8, same: false });
    expect(rmse.delta).toBeCloseTo(-0.2, 12);
    expect(c.metrics.find((d) => d.key === "by_month.2025-04.model.rmse")).toMatchObject({ a: 2.0, b: 1.8 });
    expect(c.metrics.find((d) => d.key === "holdout.persistence.rmse")).toMatchObject({ same: true, delta: 0 });
    expect(c.run.find((d) => d.key === "dataset.sha256")).toMatchObject({ same: true });
    expect(c.run.find((d) => d.key === "artifact.model.txt.sha256")).toMatchObject({ same: false });
  });
});
