// Metrics: RMSE/MAE/bias/skill on hand-computed cases, NaN handling, KMA rows, months in KST, bootstrap interval.
import { describe, expect, it } from "vitest";
import { errorStats, MetricsError, skill, skillInterval, verify, verifyByMonth } from "./metrics.ts";

describe("errorStats", () => {
  it("computes n, RMSE, MAE and bias (forecast - observed)", () => {
    const s = errorStats([1, 2, 3, 4], [0, 2, 5, 4]);
    expect(s.n).toBe(4);
    expect(s.rmse).toBeCloseTo(Math.sqrt((1 + 0 + 4 + 0) / 4), 12);
    expect(s.mae).toBeCloseTo(3 / 4, 12);
    expect(s.bias).toBeCloseTo(-1 / 4, 12);
  });
  it("skips pairs with a NaN and reports NaN for no pairs", () => {
    expect(errorStats([1, Number.NaN, 3], [1, 5, Number.NaN]).n).toBe(1);
    expect(errorStats([Number.NaN], [1]).rmse).toBeNaN();
  });
  it("refuses mismatched lengths", () => expect(() => errorStats([1], [1, 2])).toThrow(MetricsError));
  it("skill = 1 - rmse_model / rmse_reference", () => {
    expect(skill({ n: 1, rmse: 2, mae: 0, bias: 0 }, { n: 1, rmse: 2.5, mae: 0, bias: 0 })).toBeCloseTo(0.2, 12);
  });
});

describe("verify", () => {
  // Issue hours straddling a KST month boundary: 2018-08-31T14Z is 23h KST on Aug 31, 15Z is Sep 1.
  const t = [Date.UTC(2018, 7, 31, 14), Date.UTC(2018, 7, 31, 15), Date.UTC(2018, 7, 31, 16)];
  const table = {
    issueTime: t,
    observed: [10, 20, 30],
    model: [11, 19, 30],
    persistence: [12, 22, 33],
    climatology: [10, 10, 10],
    kma: [Number.NaN, 21, Number.NaN],
  };
  it("scores the model and every baseline on the same rows", () => {
    const v = verify(table);
    expect(v.n).toBe(3);
    expect(v.model.rmse).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(v.persistence.rmse).toBeCloseTo(Math.sqrt((4 + 4 + 9) / 3), 12);
    expect(v.persistence.bias).toBeCloseTo(7 / 3, 12);
    expect(v.climatology.mae).toBeCloseTo(10, 12);
    expect(v.skill).toBeCloseTo(1 - Math.sqrt(2 / 3) / Math.sqrt(17 / 3), 12);
  });
  it("scores KMA only where it has a forecast, with the model and persistence on those rows", () => {
    expect(verify(table).kma).toEqual({ n: 1, rmse: 1, mae: 1, bias: 1, model_rmse: 1, persistence_rmse: 2 });
    expect(verify({ ...table, kma: [Number.NaN, Number.NaN, Number.NaN] }).kma).toBeNull();
  });
  it("groups by the KST month of the issue hour", () => {
    const m = verifyByMonth(table);
    expect(m.map((x) => [x.month, x.n])).toEqual([
      ["2018-08", 1],
      ["2018-09", 2],
    ]);
    expect(m[0]!.model.rmse).toBe(1);
  });
});

describe("skillInterval", () => {
  const n = 600;
  const issueTime = Array.from({ length: n }, (_, i) => i * 3_600_000);
  const observed = Array.from({ length: n }, (_, i) => Math.sin(i / 10) * 5);
  const noise = (i: number, s: number) => (Math.sin(i * 12.9898 + s) * 43758.5453) % 1;
  it("brackets the skill, is reproducible, and excludes 0 when the model is clearly better", () => {
    const table = {
      issueTime,
      observed,
      model: observed.map((o, i) => o + noise(i, 1)),
      persistence: observed.map((o, i) => o + 3 * noise(i, 2)),
      climatology: observed,
      kma: observed.map(() => Number.NaN),
    };
    const v = verify(table);
    const [lo, hi] = skillInterval(table);
    expect(lo).toBeLessThanOrEqual(v.skill);
    expect(hi).toBeGreaterThanOrEqual(v.skill);
    expect(lo).toBeGreaterThan(0);
    expect(skillInterval(table)).toEqual([lo, hi]);
  });
  it("straddles 0 when model and persistence are the same forecast in disguise", () => {
    const table = {
      issueTime,
      observed,
      model: observed.map((o, i) => o + noise(i, 1)),
      persistence: observed.map((o, i) => o + noise(i + 7, 1)),
      climatology: observed,
      kma: observed,
    };
    const [lo, hi] = skillInterval(table);
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(0);
  });
});
