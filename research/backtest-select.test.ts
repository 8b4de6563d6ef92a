// Recipe selection: refuses to look past the training period, and prefers an informative feature
// over noise (synthetic data, a handful of tiny fits).
import { beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../src/model/lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../src/model/lightgbm-wasm/node.ts";
import { selectRecipe, type SelectionOptions } from "./backtest-select.ts";
import { SELECTION_START_RECIPE } from "../src/model/features-recipes.ts";
import { DAY_MS } from "../src/model/series.ts";
import { syntheticSeries } from "../src/model/series-fixtures.ts";

let lgb: LightGBM;
beforeAll(async () => {
  lgb = await loadLightGBM();
});

const series = syntheticSeries({ days: 80, seed: 21 });
const start = series.observations[0]!.time;
const opts = (over: Partial<SelectionOptions> = {}): SelectionOptions => ({
  validation: { kind: "blocked-cv", blocks: [30, 55].map((d) => ({ from: start + d * DAY_MS, to: start + (d + 10) * DAY_MS })) },
  trainingEnd: start + 80 * DAY_MS,
  start: { ...SELECTION_START_RECIPE, params: { ...SELECTION_START_RECIPE.params, num_iterations: 60, learning_rate: 0.1 } },
  // snow is always NaN here (skipped); vs is constant (useless); ta_mean72_rel carries the mean reversion.
  candidates: ["snow", "vs", "ta_mean72_rel"],
  minImprovement: 0.005,
  maxRounds: 3,
  passes: 2,
  targets: ["delta"],
  protocols: [{ name: "4 leaves", patch: { params: { num_leaves: 4 } } }],
  ...over,
});

describe("selectRecipe", () => {
  it("adds the informative feature, skips the absent one, tries the protocol variants", () => {
    const lines: string[] = [];
    const r = selectRecipe(lgb, series, opts({ log: (l) => lines.push(l) }));
    expect(r.skipped).toEqual(["snow"]);
    expect(r.recipe.features).toEqual(["hour_sin", "hour_cos", "ta_mean72_rel"]);
    expect(r.trials.some((t) => t.stage === "protocol" && t.description === "4 leaves")).toBe(true);
    expect(r.skill).toBeGreaterThan(0);
    expect(r.trials.filter((t) => t.accepted).length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.includes("accept ta_mean72_rel"))).toBe(true);
  });

  it("refuses a series that runs into the test period", () => {
    expect(() => selectRecipe(lgb, series, opts({ trainingEnd: start + 60 * DAY_MS }))).toThrow(/past the end of the training period/);
  });
});
