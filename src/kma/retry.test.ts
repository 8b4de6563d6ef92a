import { describe, expect, it } from "vitest";
import { backoffCeiling, defaultSleep, fullJitterDelay } from "./retry.ts";

const opts = { baseDelayMs: 500, maxDelayMs: 30_000 };

describe("exponential backoff with full jitter", () => {
  it("doubles the ceiling per retry up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(n, opts))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("draws uniformly in [0, ceiling): random 0 -> 0, random -> 1 -> just under the ceiling", () => {
    expect(fullJitterDelay(3, opts, () => 0)).toBe(0);
    expect(fullJitterDelay(3, opts, () => 0.5)).toBe(1000);
    expect(fullJitterDelay(3, opts, () => 0.999999)).toBe(1999);
    for (let i = 0; i < 200; i++) {
      const d = fullJitterDelay(4, opts, Math.random);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(4000);
    }
  });

  it("rejects a broken random source and bad retry numbers", () => {
    expect(() => fullJitterDelay(1, opts, () => 1)).toThrow("random() must return a number in [0, 1)");
    expect(() => fullJitterDelay(1, opts, () => Number.NaN)).toThrow("random()");
    expect(() => backoffCeiling(0, opts)).toThrow("retry must be an integer >= 1");
  });

  it("default sleep waits and can be aborted", async () => {
    const t0 = Date.now();
    await defaultSleep(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    const c = new AbortController();
    const p = defaultSleep(10_000, c.signal);
    c.abort(new Error("stop"));
    await expect(p).rejects.toThrow("stop");
  });
});
