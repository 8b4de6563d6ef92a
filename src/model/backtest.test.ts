// The backtest engine on synthetic data (runtime-agnostic, real LightGBM wasm): report shape, walk-
// forward folds that train only on data before each cutoff, determinism, real skill where there is
// something to learn, KMA as feature and baseline, blocked cross-validation, transfer, and errors.
import { beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "./lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "./lightgbm-wasm/node.ts";
import { BacktestError, runBacktest, runBlockedCv, runTransfer } from "./backtest.ts";
import { datasetFor, exportModel, fitModel, importModel, type ModelArtifact, ModelError, type ModelRecipe, predictTemperatures } from "./forecast-model.ts";
import { DEFAULT_RECIPE } from "./features-recipes.ts";
import { DAY_MS, HOUR_MS, type HourlySeries, type KmaTemperatureForecast } from "./series.ts";
import { syntheticSeries } from "./series-fixtures.ts";

let lgb: LightGBM;
beforeAll(async () => {
  lgb = await loadLightGBM();
});

const series = syntheticSeries({ days: 120, seed: 11 });
const start = series.observations[0]!.time;
const day = (d: number) => start + d * DAY_MS;

describe("walk-forward backtest", () => {
  it("reports n, model/persistence/climatology scores, skill and months, with one fit per retrain period", () => {
    const folds: string[] = [];
    const { report, table } = runBacktest(lgb, series, {
      from: day(90),
      to: day(119),
      retrainEveryDays: 10,
      recipe: DEFAULT_RECIPE,
      onFold: (f) => folds.push(f.cutoff),
    });
    expect(report.kind).toBe("walk-forward");
    expect(report.folds.map((f) => f.cutoff)).toEqual(folds);
    expect(folds).toHaveLength(3);
    expect(report.folds.map((f) => Date.parse(f.cutoff.replace("Z", ":00Z")))).toEqual([day(90), day(100), day(110)]);
    // Training rows: every issue hour whose target hour is before the cutoff (the series has no gaps).
    for (const f of report.folds) expect(f.train_rows).toBe((Date.parse(f.cutoff.replace("Z", ":00Z")) - start) / HOUR_MS - 24);
    expect(report.n).toBe(29 * 24);
    expect(report.n).toBe(table.observed.length);
    expect(report.folds.reduce((a, f) => a + f.test_rows, 0)).toBe(report.n);
    expect(report.kma).toBeNull();
    expect(report.skill).toBeCloseTo(1 - report.model.rmse / report.persistence.rmse, 12);
    expect(report.by_month.reduce((a, m) => a + m.n, 0)).toBe(report.n);
    expect(report.skill_ci95[0]).toBeLessThanOrEqual(report.skill);
    // The synthetic anomaly reverts to the mean over a day; persistence cannot know that, the model learns it.
    expect(report.skill).toBeGreaterThan(0.05);
    expect(report.climatology.rmse).toBeGreaterThan(report.persistence.rmse);
  });

  it("is deterministic", () => {
    const a = runBacktest(lgb, series, { from: day(100), to: day(106), retrainEveryDays: 3, recipe: DEFAULT_RECIPE });
    const b = runBacktest(lgb, series, { from: day(100), to: day(106), retrainEveryDays: 3, recipe: DEFAULT_RECIPE });
    expect(Array.from(b.table.model)).toEqual(Array.from(a.table.model));
    expect(b.report).toEqual(a.report);
  });

  it("fits only on data before the cutoff: changing anything after it leaves the model byte-identical", () => {
    const cutoff = day(80);
    const later: HourlySeries = {
      ...series,
      observations: series.observations.map((o) => (o.time >= cutoff ? { ...o, temperature: 40, humidity: 1, windSpeed: 30 } : o)),
    };
    const recipes: ModelRecipe[] = [
      DEFAULT_RECIPE,
      { ...DEFAULT_RECIPE, validationDays: 14, earlyStoppingRounds: 20, refit: true, params: { ...DEFAULT_RECIPE.params, num_iterations: 200 } },
    ];
    for (const recipe of recipes) {
      const a = fitModel(lgb, series, cutoff, recipe);
      const b = fitModel(lgb, later, cutoff, recipe);
      try {
        expect(b.booster.saveModel()).toBe(a.booster.saveModel());
        expect(b.climatology).toEqual(a.climatology);
      } finally {
        a.booster.free();
        b.booster.free();
      }
    }
    // ...and the same change before the cutoff does change it (the check can fail).
    const earlier: HourlySeries = {
      ...series,
      observations: series.observations.map((o) => (o.time < cutoff - 30 * DAY_MS ? { ...o, temperature: (o.temperature as number) + 3 } : o)),
    };
    const a = fitModel(lgb, series, cutoff, DEFAULT_RECIPE);
    const c = fitModel(lgb, earlier, cutoff, DEFAULT_RECIPE);
    expect(c.booster.saveModel()).not.toBe(a.booster.saveModel());
    a.booster.free();
    c.booster.free();
  });

  it("early stopping uses the most recent days before the cutoff, then refits on everything", () => {
    const recipe: ModelRecipe = {
      ...DEFAULT_RECIPE,
      validationDays: 14,
      earlyStoppingRounds: 30,
      refit: true,
      params: { ...DEFAULT_RECIPE.params, num_iterations: 2000, learning_rate: 0.1 },
    };
    const m = fitModel(lgb, series, day(80), recipe);
    try {
      expect(m.validRows).toBe(14 * 24);
      expect(m.trainRows).toBe(80 * 24 - 24);
      expect(m.iterations).toBeLessThan(2000);
      expect(m.validRmse).toBeGreaterThan(0);
    } finally {
      m.booster.free();
    }
  });
});

describe("KMA forecasts", () => {
  // A KMA-like forecast: the truth plus a little noise, issued at 02, 05, ... KST (every 3 h) for the next 30 h.
  const truth = new Map(series.observations.map((o) => [o.time, o.temperature as number]));
  const kmaForecasts: KmaTemperatureForecast[] = [];
  for (let issuedAt = start + 2 * HOUR_MS; issuedAt < day(120); issuedAt += 3 * HOUR_MS) {
    for (let h = 1; h <= 30; h++) {
      const validAt = issuedAt + h * HOUR_MS;
      const t = truth.get(validAt);
      if (t !== undefined) kmaForecasts.push({ issuedAt, validAt, temperature: t + Math.sin(validAt / 7e6) * 0.8 });
    }
  }
  const withKma: HourlySeries = { ...series, kmaForecasts };

  it("is a baseline where present and a feature the model learns from (model output statistics)", () => {
    const noKmaFeature = { ...DEFAULT_RECIPE, features: DEFAULT_RECIPE.features.filter((f) => !f.startsWith("kma")) };
    const a = runBacktest(lgb, withKma, { from: day(100), to: day(119), retrainEveryDays: 19, recipe: DEFAULT_RECIPE }).report;
    const b = runBacktest(lgb, withKma, { from: day(100), to: day(119), retrainEveryDays: 19, recipe: noKmaFeature }).report;
    expect(a.kma).not.toBeNull();
    expect(a.kma!.n).toBe(a.n);
    expect(a.kma!.rmse).toBeLessThan(1);
    expect(a.model.rmse).toBeLessThan(b.model.rmse * 0.7);
  });
});

describe("blocked cross-validation and transfer", () => {
  it("forecasts every block with a model fitted without it (24 h purge on both sides)", () => {
    const blocks = [30, 60].map((d) => ({ from: day(d), to: day(d + 10) }));
    const { report } = runBlockedCv(lgb, series, { blocks, recipe: DEFAULT_RECIPE });
    expect(report.kind).toBe("blocked-cv");
    expect(report.folds).toHaveLength(2);
    // All issue hours with a target (120 d - 1 d), minus the block and 24 h on each side.
    for (const f of report.folds) expect(f.train_rows).toBe(119 * 24 - (10 * 24 + 48));
    expect(report.n).toBe(2 * 10 * 24);
  });

  it("transfer: trains on one series and forecasts a later one, refusing overlap", () => {
    const later = syntheticSeries({ days: 20, seed: 12, start: day(130) });
    const { report } = runTransfer(lgb, series, later, { from: day(130), to: day(150), recipe: DEFAULT_RECIPE });
    expect(report.kind).toBe("transfer");
    expect(report.n).toBe(19 * 24);
    expect(() => runTransfer(lgb, series, series, { from: day(100), to: day(110), recipe: DEFAULT_RECIPE })).toThrow(BacktestError);
  });
});

describe("model artifact", () => {
  it("round-trips through JSON and predicts the same; serving builds the latest rows without a target", () => {
    const m = fitModel(lgb, series, day(100), DEFAULT_RECIPE);
    const loaded = importModel(lgb, JSON.parse(JSON.stringify(exportModel(m))) as ModelArtifact);
    try {
      // The last 24 hours have no observed T(t+24h) yet: exactly what serving forecasts.
      const latest = datasetFor(loaded, series, { from: day(119), requireTarget: false });
      expect(latest.numRows).toBe(24);
      expect(Array.from(latest.target).every(Number.isNaN)).toBe(true);
      expect(Array.from(predictTemperatures(loaded, latest))).toEqual(Array.from(predictTemperatures(m, latest)));
      expect(Array.from(predictTemperatures(loaded, latest)).every(Number.isFinite)).toBe(true);
    } finally {
      m.booster.free();
      loaded.booster.free();
    }
  });

  it("refuses an artifact whose feature definitions changed", () => {
    const m = fitModel(lgb, series, day(100), DEFAULT_RECIPE);
    const a = exportModel(m);
    m.booster.free();
    expect(() => importModel(lgb, { ...a, spec: { ...a.spec, version: "nalssi-features-v0" } })).toThrow(/retrain it/);
    expect(() => importModel(lgb, { ...a, format: "other" } as unknown as ModelArtifact)).toThrow(/format/);
  });
});

describe("errors", () => {
  it("names the problem", () => {
    expect(() => runBacktest(lgb, series, { from: day(10), to: day(10), retrainEveryDays: 1, recipe: DEFAULT_RECIPE })).toThrow(/range is empty/);
    expect(() => runBacktest(lgb, series, { from: day(10), to: day(11), retrainEveryDays: 0, recipe: DEFAULT_RECIPE })).toThrow(/retrainEveryDays/);
    expect(() => runBacktest(lgb, series, { from: start - DAY_MS, to: start, retrainEveryDays: 1, recipe: DEFAULT_RECIPE })).toThrow(
      /no observations before the cutoff/,
    );
    expect(() => runBacktest(lgb, series, { from: day(3), to: day(4), retrainEveryDays: 1, recipe: DEFAULT_RECIPE })).toThrow(ModelError);
    expect(() => runBacktest(lgb, series, { from: day(3), to: day(4), retrainEveryDays: 1, recipe: DEFAULT_RECIPE })).toThrow(/only 48 training rows/);
  });
});
