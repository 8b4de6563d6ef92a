// Hindcasts on real data: a year of Seoul hourly weather imported into libSQL, the daily pipeline
// run for 2018-12-01 (trains on data before 2018-11-15T15:00Z, scores the 14 days after with
// LightGBM-wasm). The hindcast of the production model — read back from the registry and evaluated
// by the TypeScript predictor from a series cut to a feature look-back window — must give the very
// forecasts the pipeline scored, and the same RMSE the registry recorded.
import { readFile } from "node:fs/promises";
import { createClient } from "@libsql/client";
import { beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../db/migrate.ts";
import { runImportCsv } from "../jobs/import-csv.ts";
import { loadSeries } from "../jobs/train/load-series.ts";
import { runTraining } from "../jobs/train/run-training.ts";
import { scoreOnWindow } from "../jobs/train/score.ts";
import { importModel, type ModelArtifact } from "../model/forecast-model.ts";
import { loadLightGBM } from "../model/lightgbm-wasm/node.ts";
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import { fixedClock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { memoryLogger } from "../ports/logger.ts";
import { getProduction } from "../registry/aliases.ts";
import { loadProductionModel, type LoadedModel } from "../serving/load-model.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { hindcast, hindcastWindow, rollingRmse, scoreHindcast } from "./hindcast.ts";

const bike = new URL("../../data/seoul/SeoulBikeData.csv", import.meta.url);

describe("hindcast of the production model on real Seoul data", () => {
  let db: Database;
  let objects: ObjectStore;
  let loaded: LoadedModel;
  const clock = fixedClock("2018-12-01T00:00:00Z");

  beforeAll(async () => {
    db = createClient({ url: ":memory:" });
    await migrate(db, { clock });
    objects = createMemoryObjectStore({ clock });
    const logger = memoryLogger();
    const imported = await runImportCsv({ db, objects, clock, logger }, { bytes: new Uint8Array(await readFile(bike)), fileName: "SeoulBikeData.csv" });
    expect(imported.status).toBe("succeeded");
    const run = await runTraining(
      { db, objects, clock, logger, loadLightGBM: () => loadLightGBM(), code: { packageVersion: "test" } },
      { location: "seoul", runDate: "2018-12-01", trigger: "test" },
    );
    expect(run.status).toBe("succeeded");
    const p = await getProduction(db, "seoul");
    expect(p).not.toBeNull();
    loaded = await loadProductionModel({ db, objects, clock }, p!);
  }, 120_000);

  it("starts at the training cutoff, never before it", () => {
    const cutoff = Date.parse(loaded.artifact.trainedBefore);
    expect(cutoff).toBe(Date.parse("2018-11-15T15:00:00Z"));
    const w = hindcastWindow(cutoff, Date.parse("2018-11-30T14:20:00Z"), 60);
    expect(w).toEqual({ from: cutoff, to: Date.parse("2018-11-30T15:00:00Z") });
    expect(hindcastWindow(cutoff, Date.parse("2018-11-30T14:00:00Z"), 2).from).toBe(Date.parse("2018-11-28T15:00:00Z"));
    expect(() => hindcast(loaded, { locationId: "seoul", observations: [] }, { from: cutoff - HOUR_MS, to: cutoff + DAY_MS })).toThrow(
      /before model .* training cutoff/,
    );
  });

  it("gives the forecasts the pipeline scored on its holdout (TypeScript predictor = LightGBM-wasm, same rows)", async () => {
    const holdout = { from: Date.parse(loaded.registered.holdout.from), to: Date.parse(loaded.registered.holdout.to) };
    const cutoff = Date.parse("2018-11-30T15:00:00Z"); // the run date's cutoff: every holdout target is before it
    const full = await loadSeries(db, "seoul", { before: new Date(cutoff) });
    // "now" = the cutoff: issue hours up to it, the holdout's 336 first.
    const h = hindcast(loaded, full, { from: holdout.from, to: cutoff });
    expect(h.hours).toHaveLength(15 * 24);

    // The pipeline's own scoring: the same series, the LightGBM-wasm booster.
    const lgb = await loadLightGBM();
    const text = new TextDecoder().decode((await objects.get(loaded.production.modelKey))!.body);
    const wasmModel = importModel(lgb, { ...loaded.artifact, lightgbmModel: text } as ModelArtifact);
    try {
      const table = scoreOnWindow(wasmModel, full, holdout);
      // 336 holdout hours less the 2 that need the flagged spike (2018-11-29 18:00 KST, excluded by
      // the import's quality flags) as their target or their issue-hour temperature.
      expect(table.observed.length).toBe(334);
      const byIssue = new Map(h.hours.map((x) => [x.issuedAt, x]));
      for (let r = 0; r < table.observed.length; r++) {
        const hour = byIssue.get(table.issueTime[r]!)!;
        expect(hour.issuedAt).toBe(table.issueTime[r]);
        expect(hour.model).toBeCloseTo(table.model[r]!, 9);
        expect(hour.persistence).toBe(table.persistence[r]);
        expect(hour.observed).toBe(table.observed[r]);
        expect(hour.climatology).toBeCloseTo(table.climatology[r]!, 9);
      }
    } finally {
      wasmModel.booster.free();
    }
    // Scored on the observed hours (the holdout's; the last day's targets are after the cutoff):
    // the registry's numbers.
    expect(h.hours.slice(336).every((x) => x.observed === null && x.model !== null)).toBe(true);
    const v = scoreHindcast(h.hours)!;
    expect(v.n).toBe(loaded.registered.holdout.n);
    expect(v.model.rmse).toBeCloseTo(loaded.registered.holdout.rmse, 9);
    expect(v.persistence.rmse).toBeCloseTo(loaded.registered.holdout.persistenceRmse, 9);
  });

  it("from a 31-day look-back (what the API reads), differs from the full-series hindcast only by rounding", async () => {
    // Window means come from prefix sums over the series read, so their last bits depend on where the
    // series starts (~1e-13 here), which can move a value across a tree's split threshold.
    const holdout = { from: Date.parse(loaded.registered.holdout.from), to: Date.parse(loaded.registered.holdout.to) };
    const full = hindcast(loaded, await loadSeries(db, "seoul", { before: new Date(holdout.to) }), holdout);
    const windowed = hindcast(loaded, await loadSeries(db, "seoul", { from: new Date(holdout.from - 31 * DAY_MS), before: new Date(holdout.to) }), holdout);
    let same = 0;
    for (let i = 0; i < full.hours.length; i++) {
      const a = full.hours[i]!.model!;
      const b = windowed.hours[i]!.model!;
      expect(Math.abs(a - b)).toBeLessThan(0.25);
      if (Math.abs(a - b) < 1e-9) same++;
    }
    expect(same / full.hours.length).toBeGreaterThan(0.5);
    expect(Math.abs(scoreHindcast(full.hours)!.model.rmse - scoreHindcast(windowed.hours)!.model.rmse)).toBeLessThan(0.02);
  });

  it("does not use observations at or after the end of the window (a replay clock is respected)", async () => {
    const cutoff = Date.parse(loaded.artifact.trainedBefore);
    const w = { from: cutoff, to: cutoff + 5 * DAY_MS };
    const series = await loadSeries(db, "seoul", { from: new Date(cutoff - 31 * DAY_MS), before: new Date("2018-11-30T15:00:00Z") });
    const h = hindcast(loaded, series, w);
    const last = h.hours.at(-1)!;
    expect(last.validAt).toBe(w.to - HOUR_MS + DAY_MS);
    // Valid hours at or after the window's end have no observation, although the database has them.
    expect(h.hours.filter((x) => x.validAt >= w.to).every((x) => x.observed === null)).toBe(true);
    expect(h.hours.filter((x) => x.validAt < w.to).every((x) => x.observed !== null)).toBe(true);
    // Forecasts are issued for every hour of the window.
    expect(h.hours.every((x) => x.model !== null)).toBe(true);
    const r = rollingRmse(h.hours, 72);
    expect(r.model[0]).toBeNull();
    expect(r.model.filter((x) => x !== null).length).toBeGreaterThan(0);
  });
});
