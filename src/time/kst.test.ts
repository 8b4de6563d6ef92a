import { describe, expect, it } from "vitest";
import {
  formatKstDate,
  formatKstHour,
  formatKstTime,
  kstDate,
  kstDateTimeToUtc,
  kstHourParts,
  kstLabel,
  kstParts,
  kstToUtc,
  kstWallClockToUtc,
  kstWeekday,
} from "./kst.ts";

describe("KST <-> UTC", () => {
  it("formats a UTC instant as KST date/time (UTC+9)", () => {
    const at = new Date("2025-05-28T17:00:00Z");
    expect(formatKstDate(at)).toBe("20250529");
    expect(formatKstTime(at)).toBe("0200");
    expect(formatKstHour(at)).toBe("02");
    expect(kstParts(new Date("2024-12-31T15:00:00Z"))).toEqual({ year: 2025, month: 1, day: 1, hour: 0, minute: 0 });
  });

  it("reads KST base/forecast date-times back to UTC", () => {
    expect(kstToUtc("20250529", "0200").toISOString()).toBe("2025-05-28T17:00:00.000Z");
    expect(kstToUtc("20250101", "0000").toISOString()).toBe("2024-12-31T15:00:00.000Z");
    expect(kstToUtc("20240229", "2330").toISOString()).toBe("2024-02-29T14:30:00.000Z");
    expect(kstToUtc("20250528", "2400").toISOString()).toBe("2025-05-28T15:00:00.000Z");
    expect(kstDateTimeToUtc("2025-04-30 00:00").toISOString()).toBe("2025-04-29T15:00:00.000Z");
  });

  it("rejects dates that do not exist or are malformed", () => {
    expect(() => kstToUtc("20250230", "0000")).toThrow("not a real KST date-time");
    expect(() => kstToUtc("20230229", "0000")).toThrow("not a real KST date-time");
    expect(() => kstToUtc("20250101", "2500")).toThrow("not a real KST date-time");
    expect(() => kstToUtc("20250101", "0060")).toThrow("not a real KST date-time");
    expect(() => kstToUtc("2025-01-01", "0000")).toThrow("want YYYYMMDD and HHmm");
    expect(() => kstDateTimeToUtc("2025-04-30T00:00")).toThrow("want YYYY-MM-DD HH:mm");
    expect(() => formatKstDate(new Date("nope"))).toThrow("invalid date");
  });
});

describe("KST of epoch-ms instants", () => {
  // 2018-11-30 15:00 UTC = 2018-12-01 00:00 KST (a Saturday).
  const t = Date.UTC(2018, 10, 30, 15);

  it("gives the KST date, label, hour parts and weekday across the UTC day boundary", () => {
    expect(kstDate(t)).toBe("2018-12-01");
    expect(kstDate(new Date(t - 1))).toBe("2018-11-30");
    expect(kstDate("2018-11-30T14:59:59Z")).toBe("2018-11-30");
    expect(kstLabel(t)).toBe("2018-12-01 00:00 KST");
    expect(kstLabel("2018-11-30T14:30:00Z")).toBe("2018-11-30 23:30 KST");
    expect(kstHourParts(t)).toEqual({ year: 2018, month: 12, day: 1, hour: 0, dayOfYear: 335 });
    expect(kstWeekday(t)).toBe(5);
    expect(kstWeekday(t - 1)).toBe(4);
  });

  it("maps a KST wall-clock hour back to the same instant", () => {
    expect(kstWallClockToUtc(2018, 12, 1, 0)).toBe(t);
    expect(kstWallClockToUtc(2018, 12, 1)).toBe(t);
  });
});
