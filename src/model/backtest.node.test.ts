// Backtests on the real bundled Seoul data (Node only: reads data/seoul). Regression checks of the
// numbers the report quotes, on the smallest runs that show them (a few seconds in all).
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "./lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "./lightgbm-wasm/node.ts";
import { runBacktest } from "./backtest.ts";
import { DEFAULT_RECIPE, SEED_RECIPE } from "./features-recipes.ts";
import { kstToUtc } from "./series.ts";
import { parseSeoulBikeCsv } from "./seoul-bike.ts";

const bike = parseSeoulBikeCsv(readFileSync(new URL("../../data/seoul/SeoulBikeData.csv", import.meta.url), "utf8"));
let lgb: LightGBM;
beforeAll(async () => {
  lgb = await loadLightGBM();
});

describe("Seoul bike data", () => {
  it("a slice: Dec-Feb training, two weekly refits in March, every hour forecast once", () => {
    const slice = { ...bike, observations: bike.observations.filter((o) => o.time < kstToUtc(2018, 3, 16)) };
    const { report } = runBacktest(lgb, slice, { from: kstToUtc(2018, 3, 1), to: kstToUtc(2018, 3, 15), retrainEveryDays: 7, recipe: DEFAULT_RECIPE });
    expect(report.folds.map((f) => f.cutoff)).toEqual(["2018-02-28T15:00Z", "2018-03-07T15:00Z"]);
    expect(report.n).toBe(14 * 24);
    expect(report.by_month.map((m) => m.month)).toEqual(["2018-03"]);
    expect(report.persistence.rmse).toBeGreaterThan(0);
  });

  it("the seed's configuration on its own protocol reproduces its reported numbers (2.66 vs persistence 2.45)", () => {
    const { report } = runBacktest(lgb, bike, {
      from: Date.parse("2018-09-18T00:00:00Z"),
      to: Date.parse("2018-11-29T15:00:00Z"),
      retrainEveryDays: 400,
      recipe: SEED_RECIPE,
    });
    expect(report.n).toBe(1743);
    expect(report.persistence.rmse).toBeCloseTo(2.451, 3);
    expect(report.model.rmse).toBeGreaterThan(2.6);
    expect(report.model.rmse).toBeLessThan(2.7);
  });

  it("the headline: trained on 2017-12..2018-08, DEFAULT_RECIPE beats persistence on 2018-09..11; the seed does not", () => {
    const split = { from: kstToUtc(2018, 9, 1), to: kstToUtc(2018, 12, 1), retrainEveryDays: 92 };
    const ours = runBacktest(lgb, bike, { ...split, recipe: DEFAULT_RECIPE }).report;
    const seed = runBacktest(lgb, bike, { ...split, recipe: SEED_RECIPE }).report;
    expect(ours.n).toBe(2160);
    expect(ours.model.rmse).toBeLessThan(ours.persistence.rmse);
    expect(seed.model.rmse).toBeGreaterThan(seed.persistence.rmse * 1.05);
  });
});
