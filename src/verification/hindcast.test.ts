// The verification arithmetic: the window never starts before the training cutoff, the rolling RMSE
// trails over exactly its window and skips hours without a pair, and scores use the same hours for
// every forecaster.
import { describe, expect, it } from "vitest";
import { HOUR_MS } from "../model/series.ts";
import { ceilHour, hindcastWindow, rollingRmse, scoreHindcast, type VerifiedHour } from "./hindcast.ts";

const T0 = Date.parse("2018-11-20T00:00:00Z");

function hour(i: number, v: Partial<VerifiedHour>): VerifiedHour {
  return { validAt: T0 + i * HOUR_MS, issuedAt: T0 + (i - 24) * HOUR_MS, observed: null, model: null, persistence: null, kma: null, climatology: null, ...v };
}

describe("hindcastWindow", () => {
  it("ends after the hour of now and starts `days` earlier", () => {
    const w = hindcastWindow(T0 - 100 * 24 * HOUR_MS, T0 + 30 * 60_000, 2);
    expect(w).toEqual({ from: T0 + HOUR_MS - 48 * HOUR_MS, to: T0 + HOUR_MS });
  });
  it("starts at the first whole hour at or after the training cutoff", () => {
    expect(hindcastWindow(T0 - 90 * 60_000, T0 + 5 * HOUR_MS, 14).from).toBe(T0 - HOUR_MS);
    expect(ceilHour(T0)).toBe(T0);
  });
  it("is empty when the model was trained on everything before now", () => {
    const w = hindcastWindow(T0 + 10 * HOUR_MS, T0, 14);
    expect(w.from).toBe(w.to);
  });
});

describe("rollingRmse", () => {
  it("trails over the window, skipping hours without an observation or a forecast", () => {
    const hours = [
      hour(0, { observed: 10, model: 11, persistence: 12 }), // errors 1, 2
      hour(1, { observed: 10, model: 13 }), // 3; persistence missing
      hour(2, { observed: null, model: 9, persistence: 9 }), // not observed
      hour(3, { observed: 10, model: 10, persistence: 10 }), // 0, 0
    ];
    const r = rollingRmse(hours, 2, 1);
    expect(r.model[0]).toBeCloseTo(1, 12);
    expect(r.model[1]).toBeCloseTo(Math.sqrt((1 + 9) / 2), 12);
    expect(r.model[2]).toBeCloseTo(3, 12); // window = hours 1..2, only hour 1 counts
    expect(r.model[3]).toBeCloseTo(0, 12); // window = hours 2..3
    expect(r.persistence).toEqual([2, 2, null, 0]);
    expect(r.kma).toEqual([null, null, null, null]);
  });
  it("is null after the last observed hour", () => {
    const hours = [hour(0, { observed: 0, model: 1 }), hour(1, { observed: 0, model: 1 }), hour(2, { model: 5 }), hour(3, { model: 5 })];
    expect(rollingRmse(hours, 4, 1).model).toEqual([1, 1, null, null]);
  });
  it("is null until the window holds minCount pairs", () => {
    const hours = Array.from({ length: 6 }, (_, i) => hour(i, { observed: 0, model: 1 }));
    expect(rollingRmse(hours, 4).model).toEqual([null, 1, 1, 1, 1, 1]);
  });
  it("refuses a window that is not a whole number of hours", () => {
    expect(() => rollingRmse([], 0)).toThrow(RangeError);
    expect(() => rollingRmse([], 1.5)).toThrow(RangeError);
  });
});

describe("scoreHindcast", () => {
  it("scores the hours with an observation and a model forecast, the same hours for every forecaster", () => {
    const v = scoreHindcast([
      hour(0, { observed: 10, model: 11, persistence: 13, climatology: 10, kma: 10.5 }),
      hour(1, { observed: 10, model: 9, persistence: 10, climatology: 12 }),
      hour(2, { observed: null, model: 9, persistence: 0 }),
      hour(3, { observed: 10, model: null, persistence: 0 }),
    ])!;
    expect(v.n).toBe(2);
    expect(v.model.rmse).toBeCloseTo(1, 12);
    expect(v.persistence.rmse).toBeCloseTo(Math.sqrt(9 / 2), 12);
    expect(v.skill).toBeCloseTo(1 - 1 / Math.sqrt(9 / 2), 12);
    expect(v.kma!.n).toBe(1);
    expect(v.kma!.rmse).toBeCloseTo(0.5, 12);
  });
  it("is null when nothing has been observed yet", () => {
    expect(scoreHindcast([hour(0, { model: 3 })])).toBeNull();
  });
});
