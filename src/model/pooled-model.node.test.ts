// The pooled model set on real data (the bundled Seoul year): the second member is the same
// station with only its last 30 days before the cutoff, as a newly added station would have.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseHourlyArtifact } from "./artifact.ts";
import { climatologyAt } from "./baselines.ts";
import type { LightGBM } from "./lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "./lightgbm-wasm/node.ts";
import { calibratePooled, fitPooledGroups, pooledArtifactFor, preparePooled } from "./pooled-model.ts";
import { parseSeoulBikeCsv } from "./seoul-bike.ts";
import { DAY_MS, type HourlySeries, kstToUtc } from "./series.ts";
import { scoreHourly } from "../jobs/train/hourly-steps.ts";

const seoul = parseSeoulBikeCsv(readFileSync(new URL("../../data/seoul/SeoulBikeData.csv", import.meta.url), "utf8"));
const CUTOFF = kstToUtc(2018, 9, 1);
const short = (s: HourlySeries, id: string): HourlySeries => ({ locationId: id, observations: s.observations.filter((o) => o.time >= CUTOFF - 30 * DAY_MS) });
const members = (s: HourlySeries) => [{ series: s, position: { lat: 37.57, lon: 126.97, altitude: 85.8 } }, { series: short(s, "newcomer") }];

describe("pooled model set", () => {
  let lgb: LightGBM;
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });

  it("gives a station without a year of history the pool's climatology shifted to its own mean", () => {
    const s = preparePooled(members(seoul), CUTOFF);
    const [full, newcomer] = s.members;
    expect(full!.station).toMatchObject({ lat: 37.57, lon: 126.97, altitude: 85.8, climatologySource: "own" });
    expect(newcomer!.station).toMatchObject({ lat: null, lon: null, altitude: null, climatologySource: "pool-shifted" });
    expect(newcomer!.climatology!.annual).toBe(true);
    // Shifted to its mean: the mean departure over its own 30 days is zero.
    const obs = short(seoul, "x").observations.filter((o) => o.time < CUTOFF);
    const mean = obs.reduce((a, o) => a + (o.temperature as number) - climatologyAt(newcomer!.climatology!, o.time), 0) / obs.length;
    expect(Math.abs(mean)).toBeLessThan(1e-9);
    expect(newcomer!.hours).toBe(30 * 24);
  });

  it("never reads data at or after the cutoff: changing it leaves the fitted models unchanged", () => {
    const fitTexts = (s: HourlySeries) => {
      const { models, boosters } = fitPooledGroups(lgb, preparePooled(members(s), CUTOFF, undefined, 3000));
      boosters.forEach((b) => b.free());
      return models.groups.map((g) => g.lightgbmModel);
    };
    const changed: HourlySeries = {
      ...seoul,
      observations: seoul.observations.map((o) => (o.time >= CUTOFF ? { ...o, temperature: (o.temperature as number) + 10, humidity: 5 } : o)),
    };
    expect(fitTexts(changed)).toEqual(fitTexts(seoul));
  });

  it("makes per-location artifacts that parse as hourly artifacts and forecast every lead", () => {
    const s = preparePooled(members(seoul), CUTOFF, undefined, 3000);
    const { models, boosters } = fitPooledGroups(lgb, s);
    boosters.forEach((b) => b.free());
    expect(models.groups.every((g) => g.trainRows <= 3000 && g.trainRows >= 1000)).toBe(true);
    const artifact = parseHourlyArtifact(JSON.parse(JSON.stringify(pooledArtifactFor(models, calibratePooled(lgb, s), s.members[1]!))));
    expect(artifact.station?.climatologySource).toBe("pool-shifted");
    expect(artifact.featureNames).toContain("stn_clim_mean");
    const table = scoreHourly(artifact, short(seoul, "newcomer"), { from: CUTOFF, to: CUTOFF + 7 * DAY_MS });
    expect(new Set(table.lead).size).toBe(48);
    expect(table.model.every(Number.isFinite)).toBe(true);
  });
});
