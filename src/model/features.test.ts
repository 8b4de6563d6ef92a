// Feature definitions that are easy to get wrong: KST calendar, wind components, accumulation rules, the spec.
import { describe, expect, it } from "vitest";
import { kmaLookup } from "./baselines.ts";
import { buildForecastDataset } from "./dataset.ts";
import { FEATURE_CATALOGUE, FEATURE_CATALOGUE_VERSION, FeatureError, featureDefs, featureSpec, featuresInGroups } from "./features.ts";
import { DEFAULT_RECIPE, SEED_RECIPE } from "./features-recipes.ts";
import { HOUR_MS, type HourlyObservation, kstToUtc } from "./series.ts";

const ctx = { climatology: null, kma: kmaLookup() };
function row(observations: HourlyObservation[], features: string[], at: number) {
  const ds = buildForecastDataset(
    { locationId: "x", observations },
    { features, target: "level", context: ctx, requireTarget: false, from: at, to: at + HOUR_MS },
  );
  return Object.fromEntries(features.map((f, k) => [f, ds.data[k]!]));
}

describe("features", () => {
  it("hour of day is KST: 15:00 UTC is midnight", () => {
    const t = kstToUtc(2018, 3, 1, 0);
    const r = row([{ time: t, temperature: 1 }], ["hour_sin", "hour_cos", "seed_hour", "seed_dow"], t);
    expect(r.hour_sin).toBeCloseTo(0, 12);
    expect(r.hour_cos).toBeCloseTo(1, 12);
    expect(r.seed_hour).toBe(0);
    expect(r.seed_dow).toBe(3); // 2018-03-01 was a Thursday (Monday = 0)
  });

  it("wind u/v follow the meteorological convention (wd = where the wind comes from)", () => {
    const t = Date.UTC(2018, 0, 1);
    const west = row([{ time: t, temperature: 1, windSpeed: 4, windDirection: 270 }], ["wind_u", "wind_v"], t);
    expect(west.wind_u).toBeCloseTo(4, 12); // a westerly blows toward the east
    expect(west.wind_v).toBeCloseTo(0, 12);
    const north = row([{ time: t, temperature: 1, windSpeed: 2, windDirection: 360 }], ["wind_u", "wind_v"], t);
    expect(north.wind_v).toBeCloseTo(-2, 12);
    expect(row([{ time: t, temperature: 1, windSpeed: 2 }], ["wind_u"], t).wind_u).toBeNaN();
  });

  it("accumulations count a blank in a reported hour as 0, but are NaN over gaps and before the field is ever reported", () => {
    const t0 = Date.UTC(2018, 0, 1);
    const obs = Array.from(
      { length: 30 },
      (_, k): HourlyObservation => ({ time: t0 + k * HOUR_MS, temperature: 1, precipitation: k === 5 ? 2 : k === 27 ? 0.5 : null }),
    );
    expect(row(obs, ["rn_sum24"], t0 + 28 * HOUR_MS).rn_sum24).toBeCloseTo(2.5, 12); // hours 5..28
    expect(row(obs, ["rn_sum24"], t0 + 29 * HOUR_MS).rn_sum24).toBeCloseTo(0.5, 12); // hours 6..29
    expect(row(obs, ["rn_sum3"], t0 + 3 * HOUR_MS).rn_sum3).toBeNaN(); // nothing reported yet
    const gappy = obs.filter((o) => o.time < t0 + 10 * HOUR_MS || o.time >= t0 + 20 * HOUR_MS);
    expect(row(gappy, ["rn_sum24"], t0 + 29 * HOUR_MS).rn_sum24).toBeNaN(); // 10 of 24 hours missing
  });

  it("has unique names; the spec lists names, types, the target and the catalogue version", () => {
    expect(new Set(FEATURE_CATALOGUE.map((f) => f.name)).size).toBe(FEATURE_CATALOGUE.length);
    const spec = featureSpec(DEFAULT_RECIPE.features, DEFAULT_RECIPE.target);
    expect(spec.version).toBe(FEATURE_CATALOGUE_VERSION);
    expect(spec.horizonHours).toBe(24);
    expect(spec.target).toBe(DEFAULT_RECIPE.target);
    expect(spec.features.map((f) => f.name)).toEqual(DEFAULT_RECIPE.features);
    expect(spec.features.every((f) => f.type === "float" && f.description.length > 0)).toBe(true);
    expect(SEED_RECIPE.features).toEqual(featuresInGroups(["seed"]));
  });

  it("refuses unknown or repeated features", () => {
    expect(() => featureDefs(["ta", "tmp"])).toThrow(FeatureError);
    expect(() => featureDefs(["ta", "ta"])).toThrow(/twice/);
  });
});
