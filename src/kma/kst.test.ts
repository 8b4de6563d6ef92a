import { describe, expect, it } from "vitest";
import { formatKstDate, formatKstHour, formatKstTime, kstDateTimeToUtc, kstParts, kstToUtc } from "./kst.ts";

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
