// The hindcast's cheap reader gives what the training reader (loadSeries, over the view
// observations_best) gives for the same window — observations merged by source precedence — and
// exactly the KMA forecasts the hindcast rows can use (valid at t + 24 h, issued before the window's
// end), so the hindcasts from either are identical.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@libsql/client";
import { forecastUpsert } from "../db/forecasts.ts";
import { observationUpsert } from "../db/observations.ts";
import { loadSeries } from "../jobs/train/load-series.ts";
import { kmaLookup } from "../model/baselines.ts";
import { buildForecastDataset } from "../model/dataset.ts";
import { DEFAULT_RECIPE } from "../model/features-recipes.ts";
import { DAY_MS, HOUR_MS } from "../model/series.ts";
import { syntheticSeries } from "../model/series-fixtures.ts";
import { storeObservations } from "../serving/testing/fixtures.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { loadHindcastSeries } from "./hindcast-inputs.ts";

const START = Date.UTC(2024, 2, 1);
const series = { ...syntheticSeries({ days: 60, seed: 3, start: START }), locationId: "seoul" };
const LAST = series.observations.at(-1)!.time;
const window = { from: LAST - 5 * DAY_MS, to: LAST - 2 * DAY_MS };
const LOOKBACK = 35 * DAY_MS;
const now = new Date(LAST + DAY_MS);
let db: Client;

beforeAll(async () => {
  db = await openMigratedMemoryDb();
  await storeObservations(db, series, "seoul", START, LAST + HOUR_MS, now);
  const stmts = [];
  // A second, lower-ranked source for some hours: its temperature must not win; its pressure (which ASOS rows here lack) fills the gap.
  for (let t = window.from - 2 * DAY_MS; t < window.to; t += 7 * HOUR_MS) {
    stmts.push(
      observationUpsert(
        { locationId: "seoul", observedAt: new Date(t), source: "import", values: { temperature_c: 55, humidity_pct: 42, pressure_hpa: 1001.5 } },
        now,
      ).insert,
    );
  }
  // KMA short-term forecasts issued every 3 h, for the next 30 hours, some after the window's end.
  for (let issued = window.from - 2 * DAY_MS; issued < window.to + DAY_MS; issued += 3 * HOUR_MS) {
    for (let lead = 1; lead <= 30; lead++) {
      const validAt = issued + lead * HOUR_MS;
      stmts.push(
        forecastUpsert(
          {
            locationId: "seoul",
            product: "vilage_fcst",
            issuedAt: new Date(issued),
            validAt: new Date(validAt),
            category: "TMP",
            value: 10 + (lead % 7),
            valueText: String(10 + (lead % 7)),
          },
          now,
        ).insert,
      );
    }
  }
  await db.batch(stmts, "write");
});

afterAll(() => db?.close());

describe("loadHindcastSeries", () => {
  it("reads loadSeries' observations for the window and look-back", async () => {
    const cheap = await loadHindcastSeries(db, "seoul", window, LOOKBACK);
    const view = await loadSeries(db, "seoul", { from: new Date(window.from - LOOKBACK), before: new Date(window.to) });
    expect(cheap.observations).toEqual(view.observations);
    const mixed = cheap.observations.find((o) => o.time === window.from - 2 * DAY_MS)!;
    expect(mixed.temperature).not.toBe(55);
    expect(mixed.pressure).toBe(1001.5);
  });

  it("reads exactly the KMA forecasts valid at t + 24 h for the issue hours, issued before the end", async () => {
    const cheap = await loadHindcastSeries(db, "seoul", window, LOOKBACK);
    expect(cheap.kmaForecasts!.length).toBeGreaterThan(0);
    for (const f of cheap.kmaForecasts!) {
      expect(f.validAt).toBeGreaterThanOrEqual(window.from + DAY_MS);
      expect(f.validAt).toBeLessThan(window.to + DAY_MS);
      expect(f.issuedAt).toBeLessThan(window.to);
    }
    // The rows built from it equal the rows built from everything stored.
    const all = await loadSeries(db, "seoul", { from: new Date(window.from - LOOKBACK), before: new Date(window.to + 2 * DAY_MS) });
    const build = (s: typeof cheap) =>
      buildForecastDataset(s, {
        features: DEFAULT_RECIPE.features,
        target: DEFAULT_RECIPE.target,
        context: { climatology: null, kma: kmaLookup(s.kmaForecasts) },
        from: window.from,
        to: window.to,
        requireTarget: false,
      });
    const a = build(cheap);
    const b = build({
      ...all,
      observations: all.observations.filter((o) => o.time < window.to),
      kmaForecasts: all.kmaForecasts!.filter((f) => f.issuedAt < window.to),
    });
    expect(a.numRows).toBe((window.to - window.from) / HOUR_MS);
    expect(Array.from(a.kma)).toEqual(Array.from(b.kma));
    expect(a.kma.some((x) => !Number.isNaN(x))).toBe(true);
    expect(a.featureNames).toContain("kma_t24_rel");
    const k = a.featureNames.indexOf("kma_t24_rel");
    for (let r = 0; r < a.numRows; r++) expect(a.data[r * a.numCols + k]).toEqual(b.data[r * b.numCols + k]);
  });
});
