// Hourly (1..48 h) rows: no leakage at any lead (perturbing everything after the issue hour t, and
// every KMA forecast issued after t, changes no feature of any lead's row), diurnal persistence at
// the same clock hour at or before t, sampled leads, absent fields NaN (never 0).
import { describe, expect, it } from "vitest";
import { fitClimatology, kmaLookup } from "./baselines.ts";
import { FEATURE_CATALOGUE, type FeatureContext } from "./features.ts";
import { diurnalIndex, LEAD_FEATURE_CATALOGUE } from "./lead-features.ts";
import { buildLeadRows, sampledLeads } from "./multilead-dataset.ts";
import { HOUR_MS, type HourlyObservation, type HourlySeries, type KmaTemperatureForecast, OBSERVATION_FIELDS } from "./series.ts";
import { syntheticSeries } from "./series-fixtures.ts";
import { HourlyGrid } from "./series-grid.ts";

const ISSUE = FEATURE_CATALOGUE.filter((f) => f.group !== "seed").map((f) => f.name);
const LEAD = LEAD_FEATURE_CATALOGUE.map((f) => f.name);
const ALL_LEADS = Array.from({ length: 48 }, (_, k) => k + 1);
const base = syntheticSeries({ days: 60, seed: 5 });
const t0 = base.observations[0]!.time;
const forecasts: KmaTemperatureForecast[] = [];
for (let k = 0; k < 60 * 2; k++) {
  const issuedAt = t0 + k * 12 * HOUR_MS + 10 * 60_000;
  for (let h = 1; h <= 60; h++) forecasts.push({ issuedAt, validAt: t0 + (k * 12 + h) * HOUR_MS, temperature: 10 + ((k * 7 + h) % 13) });
}
const series: HourlySeries = { ...base, kmaForecasts: forecasts };
const clim = fitClimatology(base);
const ctx = (s: HourlySeries): FeatureContext => ({ climatology: clim, kma: kmaLookup(s.kmaForecasts) });

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

function rowsAt(s: HourlySeries, t: number) {
  return buildLeadRows(new HourlyGrid(s), {
    issueFeatures: ISSUE,
    leadFeatures: LEAD,
    context: ctx(s),
    leads: ALL_LEADS,
    from: t,
    to: t + HOUR_MS,
    requireTarget: false,
  });
}

describe("hourly rows", () => {
  it("no feature or baseline of any lead 1..48 changes when everything after t changes", () => {
    for (const day of [20, 33, 47]) {
      const t = t0 + (day * 24 + 7) * HOUR_MS;
      const a = rowsAt(series, t);
      const b = rowsAt(perturbAfter(series, t), t);
      expect(a.numRows).toBe(48);
      expect(Array.from(b.lead)).toEqual(ALL_LEADS);
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
      for (const k of ["current", "diurnal", "climatology", "kma"] as const) expect(Array.from(b[k])).toEqual(Array.from(a[k]));
      // ...while the targets do change: the perturbation reached the valid hours.
      expect(Array.from(b.target)).not.toEqual(Array.from(a.target));
    }
  });

  it("diurnal persistence is the same clock hour on the most recent day at or before t", () => {
    expect([1, 23, 24, 25, 47, 48].map((h) => diurnalIndex(100, h))).toEqual([77, 99, 100, 77, 99, 100]);
    const t = t0 + 30 * 24 * HOUR_MS;
    const rows = rowsAt(series, t);
    const g = new HourlyGrid(series);
    const i = g.index(t);
    for (let r = 0; r < 48; r++) {
      const h = rows.lead[r]!;
      expect(i + h - 24 * Math.ceil(h / 24)).toBeLessThanOrEqual(i);
      expect(rows.diurnal[r]).toBe(g.value("temperature", i + h - 24 * Math.ceil(h / 24)));
    }
  });

  it("the day-before and daily-mean lead features read the clock hours they name, all at or before t", () => {
    const t = t0 + (30 * 24 + 7) * HOUR_MS;
    const rows = rowsAt(series, t);
    const g = new HourlyGrid(series);
    const i = g.index(t);
    const T = (j: number) => g.value("temperature", j);
    const col = (name: string) => ISSUE.length + LEAD.indexOf(name);
    const mean = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, k) => T(lo + k)).reduce((a, b) => a + b, 0) / (hi - lo + 1);
    const cv = (name: string, h: number) => rows.data[(h - 1) * rows.numCols + col(name)]!;
    for (const h of [1, 13, 24, 25, 48]) {
      const d = i + h - 24 * Math.ceil(h / 24);
      expect(cv("dp2_rel", h)).toBeCloseTo(T(d - 24) - T(i), 10);
      expect(cv("ta_mean_d2_rel", h)).toBeCloseTo(mean(i - 47, i - 24) - T(i), 10);
      expect(cv("ta_mean_d3_rel", h)).toBeCloseTo(mean(i - 71, i - 48) - T(i), 10);
      expect(cv("td_v_d1", h)).toBeCloseTo(g.value("dewPoint", d) - g.value("dewPoint", i), 10);
    }
  });

  it("KMA forecasts are used for lead h only when issued at or before t", () => {
    const t = t0 + (30 * 24 + 5) * HOUR_MS; // forecasts issued at 00:10 and 12:10 UTC: the latest at or before 05:00 is 00:10
    const rows = rowsAt(series, t);
    const lk = kmaLookup(forecasts);
    rows.lead.forEach((h, r) => expect(rows.kma[r]).toBe(lk.latest(t + h * HOUR_MS, t)?.temperature ?? Number.NaN));
    expect(rows.kma.some((x) => !Number.isNaN(x))).toBe(true);
  });

  it("samples exactly perIssue leads of a group per issue hour, spread over the group", () => {
    const keep = sampledLeads([13, 24], 2);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const kept = ALL_LEADS.filter((h) => h >= 13 && h <= 24 && keep(i, h));
      expect(kept).toHaveLength(2);
      kept.forEach((h) => seen.add(h));
    }
    expect(seen.size).toBe(12);
    expect(ALL_LEADS.every((h) => sampledLeads([1, 48], 0)(7, h))).toBe(true);
  });

  it("a field the source lacks (pressure) is NaN, never 0, and training rows still build", () => {
    const rows = rowsAt(series, t0 + 40 * 24 * HOUR_MS);
    for (const name of ["ps", "ps_d3", "pa", "pa_d24", "dc"]) {
      const c = ISSUE.indexOf(name);
      expect(Number.isNaN(rows.data[c]!)).toBe(true);
    }
    const train = buildLeadRows(new HourlyGrid(series), { issueFeatures: ISSUE, leadFeatures: LEAD, context: ctx(series), leads: [1, 24, 48] });
    expect(train.numRows).toBeGreaterThan(3 * 55 * 24);
    for (let r = 0; r < train.numRows; r++) expect(train.label[r]).toBeCloseTo(train.target[r]! - train.current[r]!, 12);
  });
});
