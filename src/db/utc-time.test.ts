import { describe, expect, it } from "vitest";
import { UtcTimeError, toUtcHour, toUtcSecond, toUtcSecondFloor } from "./utc-time.ts";

describe("UTC time text for the database", () => {
  it("normalizes Dates and ISO strings with Z or an offset to 'YYYY-MM-DDTHH:MM:SSZ'", () => {
    expect(toUtcSecond(new Date("2025-05-29T14:03:12.000Z"))).toBe("2025-05-29T14:03:12Z");
    expect(toUtcSecond("2025-05-29T23:03:12+09:00")).toBe("2025-05-29T14:03:12Z"); // KST -> UTC
    expect(toUtcHour("2025-05-30T00:00+09:00")).toBe("2025-05-29T15:00:00Z");
    expect(toUtcHour("2025-05-29T14:00:00.000Z")).toBe("2025-05-29T14:00:00Z");
    expect(toUtcSecondFloor(new Date("2025-05-29T14:03:12.999Z"))).toBe("2025-05-29T14:03:12Z");
  });

  it("refuses what the schema would refuse, naming the value", () => {
    expect(() => toUtcSecond("2025-05-29T14:03:12.5Z")).toThrow(/sub-second/);
    expect(() => toUtcHour("2025-05-29T14:30:00Z", "observedAt")).toThrow(/observedAt must be on the hour/);
    expect(() => toUtcSecond("2025-05-29T14:00:00")).toThrow(UtcTimeError); // no zone: would be local time
    expect(() => toUtcSecond("2025-05-29 14:00:00Z")).toThrow(UtcTimeError);
    expect(() => toUtcSecond(new Date(Number.NaN))).toThrow(/invalid Date/);
    expect(() => toUtcSecond("2025-13-01T00:00:00Z")).toThrow(/not a valid date-time/);
  });
});
