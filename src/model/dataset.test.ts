// The dataset builder: no leakage (nothing after the issue hour t changes row t's features), gaps
// handled explicitly (no row shifting), target transforms that invert exactly, KMA forecasts used
// only when issued at or before t.
import { describe, expect, it } from "vitest";
import { fitClimatology, kmaLookup } from "./baselines.ts";
import { buildForecastDataset, DatasetError, inverseTarget, TARGET_TRANSFORMS } from "./dataset.ts";
import { FEATURE_CATALOGUE, type FeatureContext } from "./features.ts";
import { HOUR_MS, type HourlyObservation, isoHour, type HourlySeries, type KmaTemperatureForecast, OBSERVATION_FIELDS } from "./series.ts";
import { syntheticSeries } from "./series-fixtures.ts";

const ALL = FEATURE_CATALOGUE.map((f) => f.name);
const base = syntheticSeries({ days: 70, seed: 3 });
const t0 = base.observations[0]!.time;
// Synthetic KMA forecasts: every 12 h, for 1..48 h ahead.
const forecasts: KmaTemperatureForecast[] = [];
for (let k = 0; k < 70 * 2; k++) {
  const issuedAt = t0 + k * 12 * HOUR_MS + 10 * 60_000; // issued at HH:10
  for (let h = 1; h <= 48; h++) forecasts.push({ issuedAt, validAt: t0 + (k * 12 + h) * HOUR_MS, temperature: 10 + ((k * 7 + h) % 13) });
}
const series: HourlySeries = { ...base, kmaForecasts: forecasts };
const ctx = (s: HourlySeries): FeatureContext => ({ climatology: fitClimatology(base), kma: kmaLookup(s.kmaForecasts) });

function rowOf(s: HourlySeries, t: number) {
  const ds = buildForecastDataset(s, { features: ALL, target: "delta", context: ctx(s), from: t, to: t + HOUR_MS, requireTarget: false });
  expect(ds.numRows).toBe(1);
  return { features: Array.from(ds.data), target: ds.target[0]!, kma: ds.kma[0]! };
}

/** Every value of every observation after t changed (and some after-t hours deleted), every forecast issued after t changed. */
function perturbAfter(s: HourlySeries, t: number): HourlySeries {
  const observations = s.observations
    .filter((o, i) => o.time <= t || i % 7 !== 0)
    .map((o): HourlyObservation => {
      if (o.time <= t) return o;
      const p: HourlyObservation = { time: o.time };
      for (const f of OBSERVATION_FIELDS) p[f] = typeof o[f] === "number" ? (o[f] as number) * -3 + 17 : 5;
      return p;
    });
  const kmaForecasts = (s.kmaForecasts ?? []).map((f) => (f.issuedAt > t ? { ...f, temperature: f.temperature + 40 } : f));
  return { ...s, observations, kmaForecasts };
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe("no leakage", () => {
  const issueHours = [24 * 3, 24 * 20 + 5, 24 * 35 + 13, 24 * 50 + 23, 24 * 68].map((k) => t0 + k * HOUR_MS);

  it.each(issueHours.map(isoHour))("perturbing everything after t never changes row t's features (t = %s)", (iso) => {
    const t = Date.parse(iso);
    const before = rowOf(series, t);
    const after = rowOf(perturbAfter(series, t), t);
    expect(same(after.features, before.features)).toBe(true);
    expect(Object.is(after.kma, before.kma)).toBe(true);
    // ...while the perturbation did reach the future (the target moved), so the check has teeth.
    if (!Number.isNaN(before.target)) expect(after.target).not.toBe(before.target);
  });

  it("perturbing the value at t does change row t's features (the test can fail)", () => {
    const t = issueHours[2]!;
    const changed: HourlySeries = {
      ...series,
      observations: series.observations.map((o) => (o.time === t ? { ...o, temperature: (o.temperature as number) + 5 } : o)),
    };
    expect(same(rowOf(changed, t).features, rowOf(series, t).features)).toBe(false);
  });

  it("uses the latest KMA forecast for t+24h issued at or before t, never a later one", () => {
    const t = t0 + 100 * HOUR_MS; // issues at 96h10m (before t) and 108h10m (after t) both cover t+24h
    const expected = forecasts
      .filter((f) => f.validAt === t + 24 * HOUR_MS && f.issuedAt <= t)
      .sort((a, b) => a.issuedAt - b.issuedAt)
      .at(-1)!;
    expect(forecasts.some((f) => f.validAt === t + 24 * HOUR_MS && f.issuedAt > t)).toBe(true);
    expect(rowOf(series, t).kma).toBe(expected.temperature);
  });
});

describe("gaps", () => {
  // Hours 300..309 (indices from the start) are missing entirely; hour 400 has a record but no temperature.
  const gapped = syntheticSeries({ days: 30, seed: 5, gaps: [[300, 310]] });
  const start = gapped.observations[0]!.time;
  gapped.observations = gapped.observations.map((o) => (o.time === start + 400 * HOUR_MS ? { ...o, temperature: null } : o));
  const ds = buildForecastDataset(gapped, {
    features: ["ta", "ta_d1", "ta_d3", "ta_d24", "ta_mean24_rel"],
    target: "level",
    context: { climatology: null, kma: kmaLookup() },
  });
  const hourIndex = (r: number) => (ds.issueTime[r]! - start) / HOUR_MS;
  const rows = new Map(Array.from({ length: ds.numRows }, (_, r) => [hourIndex(r), r]));
  const col = (name: string) => ds.featureNames.indexOf(name);
  const value = (hour: number, name: string) => ds.data[rows.get(hour)! * ds.numCols + col(name)]!;
  const obsAt = (hour: number) => gapped.observations.find((o) => o.time === start + hour * HOUR_MS)?.temperature;

  it("has no row for an issue hour that is missing or has no temperature", () => {
    for (let h = 300; h < 310; h++) expect(rows.has(h)).toBe(false);
    expect(rows.has(400)).toBe(false);
  });

  it("drops rows whose target hour is missing instead of shifting", () => {
    for (let h = 276; h < 286; h++) expect(rows.has(h)).toBe(false);
    expect(rows.has(376)).toBe(false); // target hour 400 has no temperature
    expect(rows.has(275)).toBe(true);
    expect(rows.has(286)).toBe(true);
    expect(ds.dropped.noTarget).toBe(10 + 1 + 24); // the gap, hour 400, and the last day (target beyond the data)
    expect(ds.dropped.noRecordOrTemperature).toBe(10 + 1); // the gap hours and hour 400
  });

  it("pairs every row with the observations of its own hours", () => {
    for (let r = 0; r < ds.numRows; r++) {
      const h = hourIndex(r);
      expect(ds.current[r]).toBe(obsAt(h));
      expect(ds.target[r]).toBe(obsAt(h + 24));
      expect(ds.label[r]).toBe(obsAt(h + 24)); // level target
    }
  });

  it("makes lags that reach into the gap NaN, and leaves the others alone", () => {
    expect(value(312, "ta_d3")).toBeNaN(); // 309 is missing
    expect(value(312, "ta_d1")).toBeCloseTo(obsAt(312)! - obsAt(311)!, 10);
    expect(value(330, "ta_d24")).toBeNaN(); // 306 is missing
    expect(value(340, "ta_d24")).toBeCloseTo(obsAt(340)! - obsAt(316)!, 10);
  });

  it("needs 75 % of a window observed for a rolling mean", () => {
    expect(value(320, "ta_mean24_rel")).toBeNaN(); // 297..320: 10 of 24 hours missing
    let sum = 0;
    for (let h = 310; h <= 330; h++) sum += obsAt(h)!; // 307..330 minus the 3 missing hours
    expect(value(330, "ta_mean24_rel")).toBeCloseTo(sum / 21 - obsAt(330)!, 10);
  });
});

describe("target transforms", () => {
  it.each(Object.values(TARGET_TRANSFORMS))("$name inverts exactly", (tr) => {
    const refs = { current: 3.7, climIssue: 4.1, climTarget: 5.3 };
    for (const y of [-12.5, 0, 7.25, 31]) expect(tr.inverse(tr.forward(y, refs), refs)).toBeCloseTo(y, 12);
  });

  it("delta: the label is T(t+24h) - T(t), and inverseTarget adds T(t) back", () => {
    const ds = buildForecastDataset(series, { features: ["ta"], target: "delta", context: ctx(series) });
    for (let r = 0; r < ds.numRows; r += 97) expect(ds.label[r]).toBeCloseTo(ds.target[r]! - ds.current[r]!, 12);
    const back = inverseTarget(ds, ds.label);
    for (let r = 0; r < ds.numRows; r += 97) expect(back[r]).toBeCloseTo(ds.target[r]!, 12);
  });

  it("refuses a climatology-based target without a climatology", () => {
    expect(() => buildForecastDataset(series, { features: ["ta"], target: "delta_clim", context: { climatology: null, kma: kmaLookup() } })).toThrow(
      DatasetError,
    );
  });

  it("targetBefore keeps only rows whose target hour is before the instant", () => {
    const cut = t0 + 500 * HOUR_MS;
    const ds = buildForecastDataset(series, { features: ["ta"], target: "level", context: ctx(series), targetBefore: cut });
    expect(ds.issueTime[ds.numRows - 1]).toBe(cut - 25 * HOUR_MS);
  });
});
