// --leads parsing: ranges and lists in 1..48, sorted and distinct; anything else is a usage error naming the option.
import { describe, expect, it } from "vitest";
import { parseLeads } from "./backtest.ts";

describe("backtest --leads", () => {
  it("reads ranges and lists", () => {
    expect(parseLeads("1-48")).toEqual(Array.from({ length: 48 }, (_, k) => k + 1));
    expect(parseLeads("24")).toEqual([24]);
    expect(parseLeads("6-8, 1,3,7")).toEqual([1, 3, 6, 7, 8]);
  });

  it("refuses leads outside 1..48 and malformed lists", () => {
    for (const bad of ["0", "49", "1-49", "5-3", "a", "1,,2", ""]) expect(() => parseLeads(bad), bad).toThrow(/--leads must be hours or ranges in 1..48/);
  });
});
