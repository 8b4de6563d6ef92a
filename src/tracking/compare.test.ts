import { describe, expect, it } from "vitest";
import { diffMaps, flatten } from "./compare.ts";

describe("flatten", () => {
  it("uses dotted keys, months for by-month arrays, indexes for other object arrays", () => {
    const m = flatten({
      holdout: { model: { rmse: 1.5 }, kma: null },
      by_month: [
        { month: "2025-03", skill: 0.1 },
        { month: "2025-04", skill: 0.2 },
      ],
      folds: [{ rows: 5 }, { rows: 6 }],
      features: ["a", "b"],
      empty: {},
    });
    expect([...m.entries()]).toEqual([
      ["holdout.model.rmse", 1.5],
      ["holdout.kma", null],
      ["by_month.2025-03.skill", 0.1],
      ["by_month.2025-04.skill", 0.2],
      ["folds.0.rows", 5],
      ["folds.1.rows", 6],
      ["features", ["a", "b"]],
      ["empty", {}],
    ]);
  });
});

describe("diffMaps", () => {
  it("lines up keys from both sides, marks what differs and gives b - a for numbers", () => {
    const d = diffMaps(flatten({ x: 1, s: "a", arr: [1, 2] }), flatten({ x: 1.5, t: true, arr: [1, 2] }));
    expect(d).toEqual([
      { key: "x", a: 1, b: 1.5, same: false, delta: 0.5 },
      { key: "s", a: "a", b: undefined, same: false },
      { key: "arr", a: [1, 2], b: [1, 2], same: true },
      { key: "t", a: undefined, b: true, same: false },
    ]);
  });

  it("treats null on one side and absence on the other as different", () => {
    expect(diffMaps(flatten({ k: null }), flatten({}))[0]).toEqual({ key: "k", a: null, b: undefined, same: false });
  });
});
