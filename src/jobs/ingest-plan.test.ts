import { describe, expect, it } from "vitest";
import { ASOS_STATIONS } from "../locations/asos-catalog.ts";
import { budgetFromEnv, callsPerDay, planIngestHour } from "./ingest-plan.ts";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `loc${i}`);
const kst = (day: number, hour: number) => new Date(Date.UTC(2025, 4, day, hour - 9, 15)); // HH:15 KST on 2025-05-<day>
const ALL = ASOS_STATIONS.map((s) => s.id);

/** Runs the plan over `days` days of hourly triggers and counts calls per product and location. */
function simulate(locations: readonly string[], callsPerDay: number, days = 1) {
  const perLocation = { ultraSrtNcst: new Map<string, number[]>(), vilageFcst: new Map<string, number[]>() };
  const perDay = { ultraSrtNcst: 0, vilageFcst: 0 };
  let busiestHour = 0;
  for (let d = 0; d < days; d++) {
    for (let h = 0; h < 24; h++) {
      const plan = planIngestHour(locations, kst(10 + d, h), { callsPerDay });
      busiestHour = Math.max(busiestHour, plan.steps.filter((s) => s.product === "ultraSrtNcst").length);
      for (const s of plan.steps) {
        perDay[s.product]++;
        const list = perLocation[s.product].get(s.locationId) ?? [];
        list.push(d * 24 + h);
        perLocation[s.product].set(s.locationId, list);
      }
    }
  }
  return { perLocation, busiestHour, perDay: { ultraSrtNcst: perDay.ultraSrtNcst / days, vilageFcst: perDay.vilageFcst / days } };
}

describe("planIngestHour", () => {
  it("96 stations within 10,000 a day: every nowcast hourly, every short-term issue once, not degraded", () => {
    const at02 = planIngestHour(ALL, kst(29, 2), { callsPerDay: 10_000 });
    expect(at02).toMatchObject({ kstHour: 2, locations: 96, budgetPerDay: 10_000, usablePerDay: 9_000, degraded: null });
    expect(at02.steps).toHaveLength(192);
    expect(at02.steps.slice(0, 2)).toEqual([
      { locationId: "sokcho", product: "ultraSrtNcst" },
      { locationId: "bukchuncheon", product: "ultraSrtNcst" },
    ]);
    const at03 = planIngestHour(ALL, kst(29, 3), { callsPerDay: 10_000 });
    expect(at03.steps.map((s) => s.product)).toEqual(Array(96).fill("ultraSrtNcst")); // 02:00 issue already fetched
    const day = simulate(ALL, 10_000);
    expect(day.perDay).toEqual({ ultraSrtNcst: 96 * 24, vilageFcst: 96 * 8 });
    // the short-term forecast is fetched in the hours its issues appear: 02, 05, ..., 23 KST
    expect(day.perLocation.vilageFcst.get("busan")).toEqual([2, 5, 8, 11, 14, 17, 20, 23]);
  });

  it("thins the nowcast to every 2nd hour when hourly does not fit, spread evenly, and says so", () => {
    const locations = ids(500); // 12,000 nowcast calls a day needed, 9,000 usable
    const plan = planIngestHour(locations, kst(29, 7), { callsPerDay: 10_000 });
    const nowcast = plan.products.find((p) => p.product === "ultraSrtNcst")!;
    expect(nowcast).toMatchObject({ every: 2, neededPerDay: 12_000, plannedPerDay: 6_000, thinned: true, overBudget: false });
    expect(plan.degraded).toBe(
      "nowcast thinned to every 2nd hour per location (6000 calls/day): 500 locations x 24 = 12000 calls/day > 9000 usable of the 10000 budget",
    );
    const day = simulate(locations, 10_000);
    expect(day.perDay.ultraSrtNcst).toBe(6_000);
    expect(day.perDay.vilageFcst).toBe(4_000); // 500 x 8 fits: not thinned
    // every location every 2nd hour; each hour half of them
    for (const hours of day.perLocation.ultraSrtNcst.values()) expect(hours.every((h, j) => j === 0 || h - hours[j - 1]! === 2)).toBe(true);
    expect(day.perLocation.ultraSrtNcst.size).toBe(500);
  });

  it("picks the smallest step that fits, counting exactly (a step that does not divide 24 too)", () => {
    for (const [n, budget] of [
      [96, 2_000],
      [96, 1_000],
      [300, 3_000],
      [37, 333],
    ] as const) {
      const day = simulate(ids(n), budget, 2);
      const plan = planIngestHour(ids(n), kst(10, 0), { callsPerDay: budget });
      const usable = Math.floor(budget * 0.9);
      for (const p of plan.products) {
        expect(p.plannedPerDay).toBeLessThanOrEqual(usable);
        // one step finer would not fit
        if (p.every > 1) expect(callsPerDay(n, p.slotsPerDay, p.every - 1)).toBeGreaterThan(usable);
      }
      // the plan's count is exact, and the calls spread over the hours
      expect(day.perDay.ultraSrtNcst).toBe(plan.products[0]!.plannedPerDay);
      expect(day.perDay.vilageFcst).toBe(plan.products[1]!.plannedPerDay);
      expect(day.busiestHour).toBe(Math.ceil(n / plan.products[0]!.every));
      // nobody is left out
      expect(day.perLocation.ultraSrtNcst.size).toBe(n);
      expect(day.perLocation.vilageFcst.size).toBe(n);
    }
  });

  it("says OVER BUDGET when even once a day does not fit", () => {
    const plan = planIngestHour(ids(96), kst(29, 2), { callsPerDay: 50 });
    expect(plan.products.map((p) => [p.every, p.plannedPerDay, p.overBudget])).toEqual([
      [24, 96, true],
      [8, 96, true],
    ]);
    expect(plan.degraded).toMatch(
      /^nowcast OVER BUDGET: once a day per location is already 96 calls\/day: 96 locations x 24 = 2304 calls\/day > 45 usable of the 50 budget; short-term forecast OVER BUDGET/,
    );
  });

  it("rejects a bad budget, date or list", () => {
    expect(() => planIngestHour(["a"], kst(1, 1), { callsPerDay: 0 })).toThrow(/whole number of calls a day >= 1/);
    expect(() => planIngestHour(["a"], new Date(Number.NaN), { callsPerDay: 10 })).toThrow(/invalid date/);
    expect(() => planIngestHour(["a", "a"], kst(1, 1), { callsPerDay: 10 })).toThrow(/duplicate/);
    expect(() => planIngestHour(["a"], kst(1, 1), { callsPerDay: 10, reserve: 1 })).toThrow(/reserve/);
  });
});

describe("budgetFromEnv", () => {
  it("defaults to 10,000 and rejects anything but a whole number", () => {
    expect(budgetFromEnv(undefined)).toEqual({ callsPerDay: 10_000 });
    expect(budgetFromEnv(" 2500 ")).toEqual({ callsPerDay: 2_500 });
    expect(() => budgetFromEnv("1e4")).toThrow('KMA_DAILY_CALL_BUDGET must be a whole number of calls a day >= 1, got "1e4"');
    expect(() => budgetFromEnv("0")).toThrow(/>= 1/);
  });
});
