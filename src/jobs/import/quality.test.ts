// Quality flags: the real Seoul spike (rows of data/seoul/SeoulBikeData.csv, 2018-11-29 16..21h KST,
// unedited), synthetic shapes around the thresholds (K = 4 °C, M = 2 °C), plausibility bounds, and the
// flags end to end: stored with the raw value, skipped by observations_best and the serving reader,
// counted in the import result.
import { describe, expect, it } from "vitest";
import { loadSeries } from "../train/load-series.ts";
import { loadObservationWindow } from "../../serving/serving-series.ts";
import { fixedClock } from "../../ports/clock.ts";
import { memoryLogger } from "../../ports/logger.ts";
import { createMemoryObjectStore } from "../../storage/memory-object-store.ts";
import { runImportCsv } from "../import-csv.ts";
import { migratedMemoryDb } from "../test-fakes.ts";
import { countFlags, formatQcCounts, qualityFlags } from "./quality.ts";

const BIKE_HEADER =
  "Date,Rented Bike Count,Hour,Temperature(°C),Humidity(%),Wind speed (m/s),Visibility (10m),Dew point temperature(°C),Solar Radiation (MJ/m2),Rainfall(mm),Snowfall (cm),Seasons,Holiday,Functioning Day";
const SEOUL_SPIKE_ROWS = [
  "29-11-2018,748,16,5.8,39,2.6,1489,-7.1,0.1,0,0,Autumn,No Holiday,Yes",
  "29-11-2018,996,17,5.8,38,1.3,1674,-7.4,0.01,0,0,Autumn,No Holiday,Yes",
  "29-11-2018,1577,18,0,46,0.9,1566,-4.8,0,0,0,Autumn,No Holiday,Yes",
  "29-11-2018,1026,19,5.2,48,1.9,1590,-4.9,0,0,0,Autumn,No Holiday,Yes",
  "29-11-2018,818,20,4.1,54,1.3,1434,-4.3,0,0,0,Autumn,No Holiday,Yes",
  "29-11-2018,792,21,3.8,55,2.1,1231,-4.4,0,0,0,Autumn,No Holiday,Yes",
];

/** Hourly rows from 2020-01-01T00Z with these temperatures (null = missing, undefined = no row). */
function hours(temps: readonly (number | null | undefined)[], extra: Record<string, number> = {}) {
  return temps.flatMap((t, i) =>
    t === undefined ? [] : [{ observedAt: new Date(Date.UTC(2020, 0, 1, i)).toISOString().replace(".000Z", "Z"), values: { temperature_c: t, ...extra } }],
  );
}
const flagged = (temps: readonly (number | null | undefined)[]) => qualityFlags(hours(temps)).flatMap((f, i) => (f ? [[i, f.temperature_c]] : []));

describe("quality flags", () => {
  it("flags the isolated spike of the real Seoul row (5.8 -> 0.0 -> 5.2 °C at 2018-11-29 18:00 KST) and nothing else", () => {
    // Through the import's own time handling: 18:00 KST = 09:00 UTC.
    const rows = SEOUL_SPIKE_ROWS.map((r, i) => ({
      observedAt: `2018-11-29T${String(7 + i).padStart(2, "0")}:00:00Z`,
      values: { temperature_c: Number(r.split(",")[3]) },
    }));
    const flags = qualityFlags(rows);
    expect(flags.map((f, i) => (f ? [rows[i]!.observedAt, f] : null)).filter(Boolean)).toEqual([["2018-11-29T09:00:00Z", { temperature_c: "spike" }]]);
  });

  it("flags a V or an inverted V beyond K whose neighbours agree within M, in any row order", () => {
    expect(flagged([10, 10, 15.1, 10.5, 10])).toEqual([[2, "spike"]]);
    expect(flagged([10, 10, 4.9, 11.9, 12])).toEqual([[2, "spike"]]);
    const rows = hours([1, 7, 1]);
    expect(qualityFlags([rows[2]!, rows[0]!, rows[1]!])).toEqual([undefined, undefined, { temperature_c: "spike" }]);
  });

  it("does not flag steps, ramps, a one-sided jump, jumps of exactly K, or neighbours that disagree beyond M", () => {
    expect(flagged([10, 10, 16, 16, 16])).toEqual([]); // a step (front passage)
    expect(flagged([0, 4.5, 9, 13.5, 18])).toEqual([]); // a steep ramp (sunrise)
    expect(flagged([10, 14, 10])).toEqual([]); // |d| = K exactly
    expect(flagged([10, 17, 12.5])).toEqual([]); // neighbours 2.5 apart > M
    expect(flagged([10, 16.5, 12])).toEqual([[1, "spike"]]); // neighbours 2 apart = M
  });

  it("needs both neighbours one hour away: gaps, missing values and the file's ends are not judged", () => {
    expect(flagged([10, undefined, 0, 10])).toEqual([]); // a gap before the low hour
    expect(flagged([10, null, 0, 10])).toEqual([]);
    expect(flagged([0, 10, 10])).toEqual([]); // first hour
    expect(flagged([10, 10, 0])).toEqual([]); // last hour
  });

  it("flags implausible temperature and dew point, and judges no spike against an implausible neighbour", () => {
    expect(flagged([10, 46, 10])).toEqual([[1, "implausible"]]);
    expect(flagged([-45.1, 10, -44])).toEqual([[0, "implausible"]]); // 10 is not a spike against -45.1 (flagged); -44 is the last hour
    expect(flagged([45, -45, 45])).toEqual([[1, "spike"]]); // the bounds themselves are plausible
    const f = qualityFlags(hours([20, 20, 20], { dew_point_c: 36 }));
    expect(f).toEqual([{ dew_point_c: "implausible" }, { dew_point_c: "implausible" }, { dew_point_c: "implausible" }]);
    expect(countFlags(f)).toEqual({ dew_point_c: { implausible: 3 } });
    expect(formatQcCounts({ temperature_c: { spike: 1, implausible: 2 }, dew_point_c: { implausible: 1 } })).toBe(
      "temperature_c: 1 spike, 2 implausible; dew_point_c: 1 implausible",
    );
    expect(formatQcCounts({})).toBe("none");
  });
});

describe("quality flags through the import", () => {
  it("stores the raw value with its flag, counts it, and the readers skip it for that field only", async () => {
    const db = await migratedMemoryDb();
    const deps = { db, objects: createMemoryObjectStore(), clock: fixedClock("2025-06-01T00:00:00Z"), logger: memoryLogger() };
    const bytes = new TextEncoder().encode([BIKE_HEADER, ...SEOUL_SPIKE_ROWS].join("\n"));
    const r = await runImportCsv(deps, { bytes, fileName: "bike.csv" });
    expect(r).toMatchObject({
      status: "succeeded",
      quality: { temperature_c: { spike: 1 } },
      flaggedRows: 1,
      locations: [{ quality: { temperature_c: { spike: 1 } }, flaggedRows: 1 }],
    });
    const stored = (await db.execute("SELECT temperature_c, dew_point_c, qc_flags FROM observations WHERE observed_at = '2018-11-29T09:00:00Z'")).rows[0]!;
    expect({ ...stored }).toEqual({ temperature_c: 0, dew_point_c: -4.8, qc_flags: '{"temperature_c":"spike"}' });
    const run = (
      await db.execute("SELECT json_extract(params, '$.flagged_rows') AS n, json_extract(params, '$.quality.temperature_c.spike') AS s FROM ingest_runs")
    ).rows[0]!;
    expect({ ...run }).toEqual({ n: 1, s: 1 });

    const best = (
      await db.execute(
        "SELECT temperature_c, temperature_source, dew_point_c, primary_source FROM observations_best WHERE observed_at = '2018-11-29T09:00:00Z'",
      )
    ).rows[0]!;
    expect({ ...best }).toEqual({ temperature_c: null, temperature_source: null, dew_point_c: -4.8, primary_source: "import" });
    const before = new Date("2018-11-30T00:00:00Z");
    const series = await loadSeries(db, "seoul", { before });
    const window = await loadObservationWindow(db, "seoul", Date.parse("2018-11-29T00:00:00Z"), before.getTime());
    expect(window).toEqual(series.observations);
    const spikeHour = window.find((o) => o.time === Date.parse("2018-11-29T09:00:00Z"))!;
    expect(spikeHour.temperature).toBeUndefined();
    expect(spikeHour.dewPoint).toBe(-4.8);

    // A better source's value for that hour wins as before; a re-import changes nothing.
    await db.execute(
      "INSERT INTO observations (location_id, observed_at, source, temperature_c, ingested_at, updated_at) VALUES ('seoul', '2018-11-29T09:00:00Z', 'asos', 5.5, '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z')",
    );
    expect((await db.execute("SELECT temperature_c FROM observations_best WHERE observed_at = '2018-11-29T09:00:00Z'")).rows[0]!.temperature_c).toBe(5.5);
    const again = await runImportCsv(deps, { bytes, fileName: "bike.csv" });
    expect(again.counts).toEqual({ inserted: 0, updated: 0, skipped: 6 });
  });
});
