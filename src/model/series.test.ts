// Time conversions (KST = UTC+9, no DST) and the series invariants.
import { describe, expect, it } from "vitest";
import { isoHour, kstMonth, kstParts, kstToUtc, SeriesError, sliceSeries, validateSeries } from "./series.ts";

describe("KST <-> UTC", () => {
  it("KST midnight is 15:00 UTC the day before", () => {
    expect(new Date(kstToUtc(2017, 12, 1, 0)).toISOString()).toBe("2017-11-30T15:00:00.000Z");
    expect(new Date(kstToUtc(2018, 1, 1, 8)).toISOString()).toBe("2017-12-31T23:00:00.000Z");
    expect(new Date(kstToUtc(2018, 1, 1, 9)).toISOString()).toBe("2018-01-01T00:00:00.000Z");
  });

  it("kstParts reads a UTC instant as KST wall-clock time", () => {
    expect(kstParts(Date.UTC(2017, 10, 30, 15))).toEqual({ year: 2017, month: 12, day: 1, hour: 0, dayOfYear: 335 });
    expect(kstParts(Date.UTC(2018, 11, 31, 14))).toEqual({ year: 2018, month: 12, day: 31, hour: 23, dayOfYear: 365 });
    expect(kstParts(Date.UTC(2018, 11, 31, 15))).toEqual({ year: 2019, month: 1, day: 1, hour: 0, dayOfYear: 1 });
    expect(kstMonth(Date.UTC(2018, 7, 31, 15))).toBe("2018-09");
  });

  it("round-trips every hour of a leap year", () => {
    for (let h = 0; h < 366 * 24; h += 7) {
      const t = Date.UTC(2020, 0, 1) + h * 3_600_000;
      const p = kstParts(t);
      expect(kstToUtc(p.year, p.month, p.day, p.hour)).toBe(t);
    }
  });

  it("isoHour is short ISO UTC", () => {
    expect(isoHour(Date.UTC(2018, 8, 1, 3))).toBe("2018-09-01T03:00Z");
  });
});

describe("validateSeries", () => {
  const h = (k: number) => Date.UTC(2018, 0, 1, k);
  it("accepts gaps and nulls", () => {
    expect(() =>
      validateSeries({
        locationId: "x",
        observations: [
          { time: h(0), temperature: 1 },
          { time: h(5), temperature: null },
        ],
      }),
    ).not.toThrow();
  });
  it("rejects unsorted or duplicate hours, naming them", () => {
    expect(() => validateSeries({ locationId: "x", observations: [{ time: h(1) }, { time: h(1) }] })).toThrow(
      /observation 1 \(2018-01-01T01:00Z\) is not after/,
    );
    expect(() => validateSeries({ locationId: "x", observations: [{ time: h(2) }, { time: h(1) }] })).toThrow(SeriesError);
  });
  it("rejects times that are not whole hours", () => {
    expect(() => validateSeries({ locationId: "x", observations: [{ time: h(1) + 60_000 }] })).toThrow(/not a whole UTC hour/);
  });
  it("rejects NaN values: missing is null", () => {
    expect(() => validateSeries({ locationId: "x", observations: [{ time: h(1), humidity: Number.NaN }] })).toThrow(
      /humidity at 2018-01-01T01:00Z is NaN; use null/,
    );
  });
  it("rejects malformed KMA forecasts", () => {
    expect(() => validateSeries({ locationId: "x", observations: [], kmaForecasts: [{ issuedAt: h(0), validAt: h(1) + 1, temperature: 3 }] })).toThrow(
      /KMA forecast 0/,
    );
  });
  it("sliceSeries keeps [from, to)", () => {
    const s = { locationId: "x", observations: [0, 1, 2, 3].map((k) => ({ time: h(k) })) };
    expect(sliceSeries(s, h(1), h(3)).observations.map((o) => o.time)).toEqual([h(1), h(2)]);
  });
});
