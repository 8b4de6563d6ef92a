import { describe, expect, it } from "vitest";
import { latestAsosHour, latestBase, previousBase, validateBase } from "./schedule.ts";

// Instants are written in KST (+09:00) for readability; the functions see only the UTC instant.
const kst = (s: string) => new Date(`${s}+09:00`);
const base = (b: { baseDate: string; baseTime: string; issuedAt: Date }) => [b.baseDate, b.baseTime, b.issuedAt.toISOString()];

describe("getVilageFcst base time", () => {
  it.each([
    { at: "2025-05-29T02:10:00", want: ["20250529", "0200", "2025-05-28T17:00:00.000Z"] }, // exactly available
    { at: "2025-05-29T02:09:59", want: ["20250528", "2300", "2025-05-28T14:00:00.000Z"] }, // one second early
    { at: "2025-05-29T00:00:00", want: ["20250528", "2300", "2025-05-28T14:00:00.000Z"] }, // KST midnight
    { at: "2025-05-29T05:09:00", want: ["20250529", "0200", "2025-05-28T17:00:00.000Z"] },
    { at: "2025-05-29T05:10:00", want: ["20250529", "0500", "2025-05-28T20:00:00.000Z"] },
    { at: "2025-05-29T23:09:59", want: ["20250529", "2000", "2025-05-29T11:00:00.000Z"] },
    { at: "2025-05-29T23:10:00", want: ["20250529", "2300", "2025-05-29T14:00:00.000Z"] },
    { at: "2025-05-29T23:59:59", want: ["20250529", "2300", "2025-05-29T14:00:00.000Z"] },
    // KST is already the next day while UTC is still the previous one
    { at: "2025-05-30T08:30:00", want: ["20250530", "0800", "2025-05-29T23:00:00.000Z"] },
    // month and year boundaries in KST
    { at: "2025-06-01T01:00:00", want: ["20250531", "2300", "2025-05-31T14:00:00.000Z"] },
    { at: "2025-01-01T02:09:00", want: ["20241231", "2300", "2024-12-31T14:00:00.000Z"] },
    { at: "2025-01-01T02:10:00", want: ["20250101", "0200", "2024-12-31T17:00:00.000Z"] },
    { at: "2024-03-01T00:30:00", want: ["20240229", "2300", "2024-02-29T14:00:00.000Z"] }, // leap day
  ])("at $at KST -> $want", ({ at, want }) => {
    expect(base(latestBase("vilageFcst", kst(at)))).toEqual(want);
  });

  it("is the same whether the instant is given in UTC or KST", () => {
    // 2024-12-31T17:30Z is 2025-01-01 02:30 KST
    expect(base(latestBase("vilageFcst", new Date("2024-12-31T17:30:00Z")))).toEqual(["20250101", "0200", "2024-12-31T17:00:00.000Z"]);
    // 2025-05-28T15:00Z is 2025-05-29 00:00 KST: the previous KST day's 2300
    expect(base(latestBase("vilageFcst", new Date("2025-05-28T15:00:00Z")))).toEqual(["20250528", "2300", "2025-05-28T14:00:00.000Z"]);
  });

  it("honours a custom availability lag", () => {
    expect(base(latestBase("vilageFcst", kst("2025-05-29T02:20:00"), { availableAfterMinutes: 30 }))[1]).toBe("2300");
    expect(base(latestBase("vilageFcst", kst("2025-05-29T02:00:00"), { availableAfterMinutes: 0 }))[1]).toBe("0200");
    expect(() => latestBase("vilageFcst", kst("2025-05-29T02:00:00"), { availableAfterMinutes: -1 })).toThrow("availableAfterMinutes");
  });
});

describe("getUltraSrtNcst base time (HH00, available HH:10)", () => {
  it.each([
    { at: "2025-05-29T14:10:00", want: ["20250529", "1400"] },
    { at: "2025-05-29T14:09:59", want: ["20250529", "1300"] },
    { at: "2025-05-29T00:09:00", want: ["20250528", "2300"] },
    { at: "2025-05-29T00:10:00", want: ["20250529", "0000"] },
    { at: "2026-01-01T00:05:00", want: ["20251231", "2300"] },
  ])("at $at KST -> $want", ({ at, want }) => {
    expect(base(latestBase("ultraSrtNcst", kst(at))).slice(0, 2)).toEqual(want);
  });
});

describe("getUltraSrtFcst base time (HH30, available HH:45)", () => {
  it.each([
    { at: "2025-05-29T14:45:00", want: ["20250529", "1430"] },
    { at: "2025-05-29T14:44:59", want: ["20250529", "1330"] },
    { at: "2025-05-29T15:00:00", want: ["20250529", "1430"] },
    { at: "2025-05-29T00:44:00", want: ["20250528", "2330"] },
    { at: "2025-05-29T00:45:00", want: ["20250529", "0030"] },
    { at: "2025-03-01T00:10:00", want: ["20250228", "2330"] },
  ])("at $at KST -> $want", ({ at, want }) => {
    expect(base(latestBase("ultraSrtFcst", kst(at))).slice(0, 2)).toEqual(want);
  });
});

describe("previousBase / validateBase", () => {
  it("steps back one issue, across midnight", () => {
    expect(base(previousBase("vilageFcst", { baseDate: "20250529", baseTime: "0200" })).slice(0, 2)).toEqual(["20250528", "2300"]);
    expect(base(previousBase("ultraSrtNcst", { baseDate: "20250101", baseTime: "0000" })).slice(0, 2)).toEqual(["20241231", "2300"]);
    expect(base(previousBase("ultraSrtFcst", { baseDate: "20250529", baseTime: "0030" })).slice(0, 2)).toEqual(["20250528", "2330"]);
  });

  it("rejects base times the product is not issued at", () => {
    expect(validateBase("vilageFcst", { baseDate: "20250529", baseTime: "2300" }).toISOString()).toBe("2025-05-29T14:00:00.000Z");
    expect(() => validateBase("vilageFcst", { baseDate: "20250529", baseTime: "0300" })).toThrow("vilageFcst is not issued at base_time 0300");
    expect(() => validateBase("ultraSrtNcst", { baseDate: "20250529", baseTime: "0330" })).toThrow("HH00");
    expect(() => validateBase("ultraSrtFcst", { baseDate: "20250529", baseTime: "0300" })).toThrow("HH30");
    expect(() => validateBase("vilageFcst", { baseDate: "20250532", baseTime: "0200" })).toThrow("not a real KST date-time");
  });
});

describe("latestAsosHour (data up to yesterday KST)", () => {
  it("is yesterday 23:00 KST", () => {
    expect(latestAsosHour(kst("2025-05-30T10:00:00")).toISOString()).toBe("2025-05-29T14:00:00.000Z");
    expect(latestAsosHour(kst("2025-05-30T00:00:00")).toISOString()).toBe("2025-05-29T14:00:00.000Z");
    expect(latestAsosHour(kst("2025-05-29T23:59:59")).toISOString()).toBe("2025-05-28T14:00:00.000Z");
    // 2025-05-29T16:00Z is already 2025-05-30 01:00 KST
    expect(latestAsosHour(new Date("2025-05-29T16:00:00Z")).toISOString()).toBe("2025-05-29T14:00:00.000Z");
  });
});
