// Baselines: persistence, the harmonic climatology (fitted only on the range it is given), KMA lookup.
import { describe, expect, it } from "vitest";
import { climatologyAt, fitClimatology, kmaLookup, MIN_DAYS_FOR_ANNUAL_CYCLE, persistenceForecast } from "./baselines.ts";
import { DAY_MS, HOUR_MS, type HourlySeries } from "./series.ts";

const start = Date.UTC(2017, 10, 30, 15);
/** An exact seasonal-diurnal cycle (no noise), `days` long. */
function cycle(days: number, shift = 0): HourlySeries {
  return {
    locationId: "x",
    observations: Array.from({ length: days * 24 }, (_, k) => {
      const time = start + k * HOUR_MS;
      const d = time / DAY_MS;
      const annual = 12 - 14 * Math.cos((2 * Math.PI * (d - 17)) / 365.2425);
      const diurnal = (4 + 1.5 * Math.cos((2 * Math.PI * (d - 17)) / 365.2425)) * Math.cos(2 * Math.PI * (d - 0.25));
      return { time, temperature: annual + diurnal + shift };
    }),
  };
}

describe("climatology", () => {
  it("recovers an exact seasonal-diurnal cycle from 9 months, and extrapolates it to the 3 months it never saw", () => {
    const full = cycle(365);
    const cutoff = start + 274 * DAY_MS;
    const clim = fitClimatology(full, { to: cutoff })!;
    expect(clim.annual).toBe(true);
    expect(clim.rmse).toBeLessThan(1e-3); // a whisper of ridge, nothing more
    for (const o of full.observations.filter((o) => o.time >= cutoff)) expect(climatologyAt(clim, o.time)).toBeCloseTo(o.temperature as number, 2);
  });

  it("uses only the observations in its range", () => {
    const a = cycle(300);
    const b: HourlySeries = { ...a, observations: a.observations.map((o) => (o.time >= start + 250 * DAY_MS ? { ...o, temperature: 99 } : o)) };
    const to = start + 250 * DAY_MS;
    expect(fitClimatology(b, { to })).toEqual(fitClimatology(a, { to }));
    const ex = { from: start + 100 * DAY_MS, to: start + 130 * DAY_MS };
    const c: HourlySeries = { ...a, observations: a.observations.map((o) => (o.time >= ex.from && o.time < ex.to ? { ...o, temperature: -50 } : o)) };
    expect(fitClimatology(c, { exclude: ex })).toEqual(fitClimatology(a, { exclude: ex }));
    expect(fitClimatology(c)).not.toEqual(fitClimatology(a));
  });

  it(`fits only the mean and the diurnal cycle below ${MIN_DAYS_FOR_ANNUAL_CYCLE} days, and nothing below 72 hours`, () => {
    const short = fitClimatology(cycle(30))!;
    expect(short.annual).toBe(false);
    expect(short.coefficients).toHaveLength(5);
    expect(fitClimatology(cycle(2))).toBeNull();
  });

  it("ignores missing temperatures", () => {
    const s = cycle(10);
    const holes: HourlySeries = { ...s, observations: s.observations.map((o, i) => (i % 5 === 0 ? { ...o, temperature: null } : o)) };
    expect(fitClimatology(holes)!.n).toBe(240 - 48);
  });
});

describe("persistence and KMA", () => {
  it("persistence forecasts T(t)", () => expect(persistenceForecast(7.3)).toBe(7.3));

  it("KMA: the latest forecast for the valid hour issued at or before the issue instant", () => {
    const v = start + 48 * HOUR_MS;
    const k = kmaLookup([
      { issuedAt: start + 20 * HOUR_MS, validAt: v, temperature: 3 },
      { issuedAt: start + 5 * HOUR_MS, validAt: v, temperature: 1 },
      { issuedAt: start + 26 * HOUR_MS, validAt: v, temperature: 9 },
      { issuedAt: start + 20 * HOUR_MS, validAt: v + HOUR_MS, temperature: 4 },
    ]);
    expect(k.latest(v, start + 24 * HOUR_MS)?.temperature).toBe(3);
    expect(k.latest(v, start + 20 * HOUR_MS)?.temperature).toBe(3);
    expect(k.latest(v, start + 19 * HOUR_MS)?.temperature).toBe(1);
    expect(k.latest(v, start + 4 * HOUR_MS)).toBeUndefined();
    expect(k.latest(v + 2 * HOUR_MS, start + 30 * HOUR_MS)).toBeUndefined();
  });
});
