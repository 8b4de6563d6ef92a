// The daily training pipeline end to end on real data: a year of Seoul hourly weather imported into
// libSQL, trained, scored on a holdout it never saw, registered, promoted by the gate; a second run
// must re-score production on its own holdout; a date without enough data fails in check_data.
import { readFile } from "node:fs/promises";
import { createClient } from "@libsql/client";
import { beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../db/migrate.ts";
import { loadLightGBM } from "../../model/lightgbm-wasm/node.ts";
import { fixedClock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { memoryLogger } from "../../ports/logger.ts";
import { createMemoryObjectStore } from "../../storage/memory-object-store.ts";
import { Registry } from "../../registry/registry.ts";
import { runImportCsv } from "../import-csv.ts";
import { holdoutWindow, cutoffOf } from "./pipeline.ts";
import { runTraining, type TrainingSetup } from "./run-training.ts";

const bike = new URL("../../../data/seoul/SeoulBikeData.csv", import.meta.url);

describe("daily training pipeline on real Seoul data", () => {
  let db: Database;
  let setup: TrainingSetup;
  const clock = fixedClock("2018-12-01T00:00:00Z");

  beforeAll(async () => {
    db = createClient({ url: ":memory:" });
    await migrate(db, { clock });
    const objects = createMemoryObjectStore({ clock });
    const logger = memoryLogger();
    const imported = await runImportCsv({ db, objects, clock, logger }, { bytes: new Uint8Array(await readFile(bike)), fileName: "SeoulBikeData.csv" });
    expect(imported.status).toBe("succeeded");
    setup = { db, objects, clock, logger, loadLightGBM: () => loadLightGBM(), code: { packageVersion: "0.1.0", gitCommit: null } };
  });

  it("trains, evaluates on the holdout against the baselines, registers and promotes the first version", async () => {
    const run = await runTraining(setup, { location: "seoul", runDate: "2018-11-15", trigger: "test" });
    expect(run.errorMessage).toBeNull();
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      "check_data:succeeded",
      "build_dataset:succeeded",
      "train:succeeded",
      "train_hourly:succeeded",
      "calibrate_hourly:succeeded",
      "evaluate:succeeded",
      "register:succeeded",
      "promote:succeeded",
      "notify_serving:succeeded",
    ]);
    const evaluate = run.steps.find((s) => s.step === "evaluate")!.output as { n: number; rmse: number; persistenceRmse: number; skill: number; leads: { lead: number; rmse: number; persistenceRmse: number }[]; coverage80: number };
    const w = holdoutWindow(cutoffOf("2018-11-15"), 14);
    expect(evaluate.n).toBe((w.to - w.from) / 3_600_000);
    expect(evaluate.skill).toBeCloseTo(1 - evaluate.rmse / evaluate.persistenceRmse, 12);
    // Every lead 1..48 is evaluated on the holdout (leads past 24 h have fewer issue hours with an observed target).
    expect(evaluate.leads.map((l) => l.lead)).toEqual(Array.from({ length: 48 }, (_, k) => k + 1));
    expect(evaluate.coverage80).toBeGreaterThan(0.5);
    const promote = run.steps.find((s) => s.step === "promote")!.output as { promoted: boolean; version: string; reason: string };
    const registry = new Registry({ db });
    const production = await registry.getProduction("seoul");
    // The gate promotes only a model that beats persistence on the holdout.
    expect(promote.promoted).toBe(evaluate.skill > 0.02 && evaluate.leads.every((l) => l.rmse < l.persistenceRmse));
    expect(promote.reason).toMatch(/leads beating persistence: [\d,-]+ \(\d+\/48\)/);
    if (promote.promoted) expect(production?.version).toBe(promote.version);
    else expect(production).toBeNull();
    const version = await registry.getVersion("seoul", promote.version);
    expect(version.holdout.rmse).toBeCloseTo(evaluate.rmse, 9);
  }, 180_000);

  it("re-scores the production model on the next run's holdout before deciding", async () => {
    const run = await runTraining(setup, { location: "seoul", runDate: "2018-11-29", trigger: "test" });
    expect(run.status).toBe("succeeded");
    const promote = run.steps.find((s) => s.step === "promote")!.output as { reason: string; version: string };
    const history = await new Registry({ db }).history({ location: "seoul" });
    expect(history.length).toBeGreaterThan(0);
    expect(promote.reason.length).toBeGreaterThan(10);
  }, 180_000);

  it("fails in check_data, permanently, when the date has too little history", async () => {
    const run = await runTraining(setup, { location: "seoul", runDate: "2018-01-15", trigger: "test" });
    expect(run.status).toBe("failed");
    expect(run.errorStep).toBe("check_data");
    expect(run.errorMessage).toMatch(/training needs at least 2160/);
    expect(run.steps[0]!.attempts).toBe(1);
    expect(run.steps.slice(1).every((s) => s.status === "skipped")).toBe(true);
  });
});
