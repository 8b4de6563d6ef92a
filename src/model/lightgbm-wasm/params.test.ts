import { describe, expect, it } from "vitest";
import { formatParams, ParamAliases, parseParams } from "./params.ts";

describe("LightGBM parameters", () => {
  it("formats values the way LightGBM parses them", () => {
    expect(formatParams({ objective: "regression", num_leaves: 31, deterministic: true, metric: ["l2", "l1"], learning_rate: 0.05 })).toBe(
      "objective=regression num_leaves=31 deterministic=true metric=l2,l1 learning_rate=0.05",
    );
    expect(() => formatParams({ lr: Number.NaN })).toThrow(/not a finite number/);
    expect(() => formatParams({ "bad key": 1 })).toThrow(/not valid/);
    expect(() => formatParams({ objective: "a b" })).toThrow(/may not be empty or contain spaces/);
  });

  it("parses key=value tokens and names a bad one", () => {
    expect(parseParams(["num_leaves=31", "metric=l2,l1"])).toEqual({ num_leaves: "31", metric: "l2,l1" });
    expect(parseParams("a=1  b=2")).toEqual({ a: "1", b: "2" });
    expect(() => parseParams(["num_leaves"])).toThrow('"num_leaves" is not a LightGBM parameter; write key=value');
    expect(() => parseParams(["=3"])).toThrow(/not a LightGBM parameter/);
  });

  it("resolves aliases, with the last value winning", () => {
    const a = new ParamAliases({ num_iterations: ["n_estimators", "num_round"], num_leaves: ["max_leaves"] });
    expect(a.resolve("num_round")).toBe("num_iterations");
    expect(a.lookup({ n_estimators: 5, num_round: 9 }, "num_iterations")).toBe(9);
    expect(a.unknown({ num_leavs: 3, max_leaves: 2 })).toEqual([{ name: "num_leavs", suggestion: "num_leaves" }]);
    expect(a.unknown({ zzzzzzzz: 1 })).toEqual([{ name: "zzzzzzzz", suggestion: undefined }]);
  });
});
