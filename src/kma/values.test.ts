import { describe, expect, it } from "vitest";
import { isKmaMissing, parseAsosNumber, parseAsosText, parseForecastValue } from "./values.ts";

describe("parseForecastValue", () => {
  it.each([
    { category: "TMP", raw: "16", want: { value: 16, flag: "exact" } },
    { category: "UUU", raw: "-0.8", want: { value: -0.8, flag: "exact" } },
    { category: "VVV", raw: "-0", want: { value: 0, flag: "exact" } },
    { category: "TMN", raw: "16.0", want: { value: 16, flag: "exact" } },
    { category: "POP", raw: " 30 ", want: { value: 30, flag: "exact" } },
    { category: "PCP", raw: "0", want: { value: 0, flag: "exact" } },
    { category: "PCP", raw: "6.2mm", want: { value: 6.2, flag: "exact" } },
    { category: "PCP", raw: "1.0mm", want: { value: 1, flag: "exact" } },
    { category: "RN1", raw: "3mm", want: { value: 3, flag: "exact" } },
    { category: "SNO", raw: "1.0cm", want: { value: 1, flag: "exact" } },
  ])("reads plain numbers and amounts with units: $raw", ({ category, raw, want }) => {
    expect(parseForecastValue(category, raw)).toEqual(want);
  });

  it("treats >= 900 and <= -900 as missing (null, never the sentinel), and keeps values just inside", () => {
    expect(parseForecastValue("WAV", "-999")).toEqual({ value: null, flag: "missing" });
    expect(parseForecastValue("TMP", "900")).toEqual({ value: null, flag: "missing" });
    expect(parseForecastValue("TMP", "-900")).toEqual({ value: null, flag: "missing" });
    expect(parseForecastValue("TMP", "900.0")).toEqual({ value: null, flag: "missing" });
    expect(parseForecastValue("TMP", "999")).toEqual({ value: null, flag: "missing" });
    expect(parseForecastValue("PCP", "999mm")).toEqual({ value: null, flag: "missing" });
    expect(parseForecastValue("TMP", "899.9")).toEqual({ value: 899.9, flag: "exact" });
    expect(parseForecastValue("TMP", "-899.9")).toEqual({ value: -899.9, flag: "exact" });
    expect(isKmaMissing(900)).toBe(true);
    expect(isKmaMissing(-900)).toBe(true);
    expect(isKmaMissing(899.99)).toBe(false);
    expect(isKmaMissing(-899.99)).toBe(false);
  });

  it("reads '강수없음' and '적설없음' as 0 with a flag", () => {
    expect(parseForecastValue("PCP", "강수없음")).toEqual({ value: 0, flag: "no-precipitation" });
    expect(parseForecastValue("RN1", "강수없음")).toEqual({ value: 0, flag: "no-precipitation" });
    expect(parseForecastValue("SNO", "적설없음")).toEqual({ value: 0, flag: "no-snow" });
  });

  it("reads 'less than' amounts as half the bound, with the bound", () => {
    expect(parseForecastValue("PCP", "1mm 미만")).toEqual({ value: 0.5, flag: "less-than", upper: 1 });
    expect(parseForecastValue("PCP", "1.0mm 미만")).toEqual({ value: 0.5, flag: "less-than", upper: 1 });
    expect(parseForecastValue("RN1", "1mm미만")).toEqual({ value: 0.5, flag: "less-than", upper: 1 });
    expect(parseForecastValue("SNO", "0.5cm 미만")).toEqual({ value: 0.25, flag: "less-than", upper: 0.5 });
    expect(parseForecastValue("SNO", "1.0cm 미만")).toEqual({ value: 0.5, flag: "less-than", upper: 1 });
  });

  it("reads ranges as their midpoint with both bounds", () => {
    expect(parseForecastValue("PCP", "30.0~50.0mm")).toEqual({ value: 40, flag: "range", lower: 30, upper: 50 });
    expect(parseForecastValue("RN1", "30.0 ~ 50.0mm")).toEqual({ value: 40, flag: "range", lower: 30, upper: 50 });
    expect(parseForecastValue("PCP", "30.0mm~50.0mm")).toEqual({ value: 40, flag: "range", lower: 30, upper: 50 });
    expect(parseForecastValue("PCP", "50.0~30.0mm")).toEqual({ value: null, flag: "unrecognized" });
  });

  it("reads 'at least' amounts as the bound", () => {
    expect(parseForecastValue("PCP", "50.0mm 이상")).toEqual({ value: 50, flag: "at-least", lower: 50 });
    expect(parseForecastValue("RN1", "50mm이상")).toEqual({ value: 50, flag: "at-least", lower: 50 });
    expect(parseForecastValue("SNO", "5.0cm 이상")).toEqual({ value: 5, flag: "at-least", lower: 5 });
  });

  it("keeps qualitative 5th-day wording and unknown strings as null, never 0", () => {
    expect(parseForecastValue("PCP", "약한 비")).toEqual({ value: null, flag: "qualitative" });
    expect(parseForecastValue("WSD", "약간 강한 바람")).toEqual({ value: null, flag: "qualitative" });
    expect(parseForecastValue("PCP", "6.2 inches")).toEqual({ value: null, flag: "unrecognized" });
    expect(parseForecastValue("TMP", "-")).toEqual({ value: null, flag: "unrecognized" });
    expect(parseForecastValue("TMP", "1e3")).toEqual({ value: null, flag: "unrecognized" });
    expect(parseForecastValue("TMP", "")).toEqual({ value: null, flag: "missing" });
  });

  it("rejects a unit that does not belong to the category", () => {
    expect(parseForecastValue("PCP", "1.0cm")).toEqual({ value: null, flag: "unrecognized" });
    expect(parseForecastValue("SNO", "1mm 미만")).toEqual({ value: null, flag: "unrecognized" });
    expect(parseForecastValue("SNO", "30.0~50.0mm")).toEqual({ value: null, flag: "unrecognized" });
  });
});

describe("ASOS values", () => {
  it("reads '' as null, never 0 (an empty rn is 'not reported')", () => {
    expect(parseAsosNumber("")).toBeNull();
    expect(parseAsosNumber("  ")).toBeNull();
    expect(parseAsosNumber(undefined)).toBeNull();
    expect(parseAsosNumber(null)).toBeNull();
  });

  it("reads numbers, and does not apply the forecast ±900 rule (pressure ~1000 hPa is real)", () => {
    expect(parseAsosNumber("12.7")).toBe(12.7);
    expect(parseAsosNumber("-1.2")).toBe(-1.2);
    expect(parseAsosNumber("0.0")).toBe(0);
    expect(parseAsosNumber("1003.3")).toBe(1003.3);
    expect(parseAsosNumber("2113")).toBe(2113);
  });

  it("throws on text in a numeric field", () => {
    expect(() => parseAsosNumber("abc")).toThrow('not a number: "abc"');
  });

  it("reads text codes with '' as null", () => {
    expect(parseAsosText("")).toBeNull();
    expect(parseAsosText("ScAc")).toBe("ScAc");
  });
});
