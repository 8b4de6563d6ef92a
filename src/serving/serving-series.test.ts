// The serving reader gives exactly what loadSeries (the view observations_best) gives for the window,
// with rows from several sources per hour and fields missing here and there, and the KMA forecast the
// issue hour may use.
import { describe, expect, it } from "vitest";
import { observationUpsert, type ObservationRow } from "../db/observations.ts";
import { forecastUpsert } from "../db/forecasts.ts";
import { loadSeries } from "../jobs/train/load-series.ts";
import { kmaLookup } from "../model/baselines.ts";
import { HOUR_MS } from "../model/series.ts";
import { openMigratedMemoryDb } from "../tracking/testing/seed.ts";
import { loadObservationWindow, loadObservationWindows, loadServingSeries } from "./serving-series.ts";
import type { Database } from "../ports/database.ts";

const T0 = Date.UTC(2025, 4, 1);
const now = new Date("2025-06-01T00:00:00Z");

describe("loadServingSeries", () => {
  it("merges sources per hour and field by precedence exactly like observations_best, and finds the usable KMA forecast", async () => {
    const db = await openMigratedMemoryDb();
    const rows: ObservationRow[] = [];
    for (let h = 0; h < 200; h++) {
      const at = new Date(T0 + h * HOUR_MS);
      if (h % 17 === 5) continue; // a gap
      const sources: ObservationRow["source"][] = h % 3 === 0 ? ["asos", "ultra_srt_ncst"] : h % 3 === 1 ? ["ultra_srt_ncst", "import"] : ["import"];
      for (const source of sources) {
        const k = source === "asos" ? 0 : source === "ultra_srt_ncst" ? 1 : 2;
        rows.push({
          locationId: "seoul",
          observedAt: at,
          source,
          values: {
            // asos sometimes lacks the temperature, the nowcast never has pressure, the import lacks wind on odd hours
            temperature_c: source === "asos" && h % 6 === 0 ? null : 10 + k + h / 10 + 0.1 + 0.2, // values that need 17 digits
            humidity_pct: 50 + k,
            wind_speed_ms: source === "import" && h % 2 === 1 ? null : 1 + k,
            pressure_hpa: source === "ultra_srt_ncst" ? null : 1000 + k,
            visibility_m: source === "import" ? 15000 : null,
            precipitation_mm: h % 10 === 0 ? 0.5 * (k + 1) : null,
          },
        });
      }
    }
    // a hour whose only row has no temperature at the end, and another location
    rows.push({ locationId: "seoul", observedAt: new Date(T0 + 200 * HOUR_MS), source: "ultra_srt_ncst", values: { humidity_pct: 40 } });
    rows.push({ locationId: "busan", observedAt: new Date(T0 + 10 * HOUR_MS), source: "asos", values: { temperature_c: 20 } });
    const stmts = rows.map((r) => observationUpsert(r, now).insert);
    const lastT = T0 + 199 * HOUR_MS;
    for (const issued of [lastT - 30 * HOUR_MS, lastT - 6 * HOUR_MS, lastT - HOUR_MS, lastT + HOUR_MS]) {
      for (const valid of [lastT + 24 * HOUR_MS, lastT + 25 * HOUR_MS]) {
        if (valid < issued) continue;
        stmts.push(
          forecastUpsert(
            {
              locationId: "seoul",
              product: "vilage_fcst",
              issuedAt: new Date(issued),
              validAt: new Date(valid),
              category: "TMP",
              value: (issued - T0) / HOUR_MS,
              valueText: "x",
            },
            now,
          ).insert,
        );
      }
    }
    await db.batch(stmts, "write");

    const from = T0 + 20 * HOUR_MS;
    const before = T0 + 201 * HOUR_MS;
    const mine = await loadServingSeries(db, "seoul", from, before);
    const reference = await loadSeries(db, "seoul", { from: new Date(from), before: new Date(before) });
    expect(mine.observations).toEqual(reference.observations);
    expect(mine.observations.length).toBeGreaterThan(150);
    // The issue hour is the last with a temperature (hour 199); its KMA forecast for +24 h issued by then.
    const want = kmaLookup(reference.kmaForecasts).latest(lastT + 24 * HOUR_MS, lastT);
    expect(want?.issuedAt).toBe(lastT - HOUR_MS);
    expect(kmaLookup(mine.kmaForecasts).latest(lastT + 24 * HOUR_MS, lastT)).toEqual(want);
    expect((mine.kmaForecasts ?? []).every((f) => f.validAt === lastT + 24 * HOUR_MS && f.issuedAt <= lastT)).toBe(true);
    db.close();
  });
});

describe("loadObservationWindows", () => {
  it("reads many locations' windows in one query, each exactly what loadObservationWindow gives", async () => {
    const db = await openMigratedMemoryDb();
    const ids = ["seoul", "busan", "jeju-gosan"];
    const stmts = [];
    for (const [n, locationId] of ids.entries()) {
      for (let h = 0; h < 120; h++) {
        if ((h + n) % 11 === 3) continue; // gaps, different per location
        for (const source of h % 2 === 0 ? (["asos", "ultra_srt_ncst"] as const) : (["import"] as const)) {
          const k = source === "asos" ? 0 : 1;
          stmts.push(
            observationUpsert(
              {
                locationId,
                observedAt: new Date(T0 + h * HOUR_MS),
                source,
                values: {
                  temperature_c: n * 10 + h / 7 + k + 0.1 + 0.2,
                  humidity_pct: source === "asos" && h % 4 === 0 ? null : 40 + n + k,
                  visibility_m: source === "import" ? 12000 + n : null,
                },
              },
              now,
            ).insert,
          );
        }
      }
    }
    await db.batch(stmts, "write");
    let queries = 0;
    const counting: Pick<Database, "execute"> = {
      execute: ((stmt: Parameters<Database["execute"]>[0]) => (queries++, db.execute(stmt))) as Database["execute"],
    };
    const from = T0 + 10 * HOUR_MS;
    const before = T0 + 100 * HOUR_MS;
    const windows = await loadObservationWindows(counting, [...ids, "nowhere", "busan"], from, before);
    expect(queries).toBe(1);
    expect([...windows.keys()]).toEqual([...ids, "nowhere"]);
    expect(windows.get("nowhere")).toEqual([]);
    for (const id of ids) {
      const one = await loadObservationWindow(db, id, from, before);
      expect(one.length).toBeGreaterThan(70);
      expect(windows.get(id)).toEqual(one);
      expect(one[0]!.time).toBeGreaterThanOrEqual(from);
      expect(one[one.length - 1]!.time).toBeLessThan(before);
    }
    expect(windows.get("busan")![0]!.temperature).not.toEqual(windows.get("seoul")![0]!.temperature);
    expect(await loadObservationWindows(counting, [], from, before)).toEqual(new Map());
    expect(queries).toBe(1); // an empty list asks nothing
    db.close();
  });
});
