// The hourly model set end to end on a synthetic series: the artifact round-trips through its one
// zod schema; the TS predictor (serving) gives exactly the wasm Booster's forecasts at every lead;
// intervals never cross; no lead's forecast changes when data after the issue hour changes.
import { describe, expect, it } from "vitest";
import { loadLightGBM } from "./lightgbm-wasm/node.ts";
import { type LeadRecipe, parseHourlyArtifact, serializeHourlyArtifact } from "./artifact.ts";
import { contextFor, fitHourly, forecastRows, residualQuantiles } from "./hourly-model.ts";
import { HOURLY_RECIPE } from "./hourly-recipes.ts";
import { buildLeadRows } from "./multilead-dataset.ts";
import { HOUR_MS, type HourlyObservation, type HourlySeries } from "./series.ts";
import { syntheticSeries } from "./series-fixtures.ts";
import { HourlyGrid } from "./series-grid.ts";
import { hourlyForecast, loadHourlyModel } from "../serving/hourly-forecast.ts";

const SMALL: LeadRecipe = {
  ...HOURLY_RECIPE,
  name: "test",
  groups: [
    [1, 6],
    [7, 24],
    [25, 48],
  ],
  params: { ...HOURLY_RECIPE.params, num_iterations: 15 },
};
const series = syntheticSeries({ days: 150, seed: 9 });
const t0 = series.observations[0]!.time;
const cutoff = t0 + 120 * 24 * HOUR_MS;
const lgb = await loadLightGBM();
const fitted = fitHourly(lgb, series, cutoff, SMALL);

function perturbAfter(s: HourlySeries, t: number): HourlySeries {
  return {
    ...s,
    observations: s.observations.map((o): HourlyObservation => (o.time <= t ? o : { ...o, temperature: (o.temperature as number) + 9, humidity: 3 })),
  };
}

describe("hourly model set", () => {
  it("round-trips through the artifact schema, and the TS predictor equals the Booster at every lead", () => {
    const text = serializeHourlyArtifact(fitted.artifact);
    expect(parseHourlyArtifact(text)).toEqual(fitted.artifact);
    const loaded = loadHourlyModel(text);
    const rows = buildLeadRows(new HourlyGrid(series), {
      issueFeatures: SMALL.issueFeatures,
      leadFeatures: SMALL.leadFeatures,
      context: contextFor(fitted.artifact, series),
      leads: Array.from({ length: 48 }, (_, k) => k + 1),
      from: cutoff,
      to: cutoff + 3 * 24 * HOUR_MS,
    });
    const a = forecastRows(fitted, rows);
    const b = forecastRows(loaded, rows);
    expect(rows.numRows).toBeGreaterThan(48 * 60);
    expect(Array.from(b.point)).toEqual(Array.from(a.point));
    for (let r = 0; r < rows.numRows; r++) {
      expect(a.p025[r]!).toBeLessThanOrEqual(a.p10[r]!);
      expect(a.p10[r]!).toBeLessThanOrEqual(a.p90[r]!);
      expect(a.p90[r]!).toBeLessThanOrEqual(a.p975[r]!);
    }
  });

  it("calibrates each lead on cross-fitted residuals before the cutoff: wider with the lead", () => {
    const c = fitted.artifact.calibration.leads;
    expect(c).toHaveLength(48);
    expect(c.every((x) => x.n > 300)).toBe(true);
    expect(c[47]!.q90 - c[47]!.q10).toBeGreaterThan(c[0]!.q90 - c[0]!.q10);
  });

  it("no lead's forecast changes when everything after the issue hour changes", () => {
    const loaded = loadHourlyModel(serializeHourlyArtifact(fitted.artifact));
    const t = cutoff + 5 * 24 * HOUR_MS + 3 * HOUR_MS;
    const a = hourlyForecast(loaded, series, { at: t });
    const b = hourlyForecast(loaded, perturbAfter(series, t), { at: t });
    expect(a.issuedAt).toBe(t);
    expect(a.leads.map((l) => l.validAt)).toEqual(Array.from({ length: 48 }, (_, k) => t + (k + 1) * HOUR_MS));
    expect(b).toEqual(a);
    expect(a.missingFeatures).toContain("ps");
  });

  it("residual quantiles are conformal order statistics and never cross", () => {
    const e = Array.from({ length: 99 }, (_, k) => k + 1); // 1..99
    expect(residualQuantiles(e, 5)).toEqual({ lead: 5, n: 99, q025: 2, q10: 10, q90: 90, q975: 98 });
    expect(residualQuantiles(e, 5, 0.5)).toEqual({ lead: 5, n: 99, q025: 1, q10: 5, q90: 45, q975: 49 });
    expect(() => residualQuantiles(e, 5, 0)).toThrow(/scale must be positive/);
    expect(() =>
      parseHourlyArtifact({
        ...fitted.artifact,
        calibration: { ...fitted.artifact.calibration, leads: fitted.artifact.calibration.leads.map((x) => ({ ...x, q10: x.q90 + 1 })) },
      }),
    ).toThrow(/cross/);
    expect(() => parseHourlyArtifact({ ...fitted.artifact, groups: fitted.artifact.groups.slice(1) })).toThrow(/lead 1 is served by 0/);
    expect(() => parseHourlyArtifact({ ...fitted.artifact, format: "nalssi-temperature-model-v1" })).toThrow(/format/);
  });
});
