import { describe, expect, it } from "vitest";
import { backoffCeiling, defaultSleep, retryDelay, validateRetryPolicy, withRetry } from "./policy.ts";
import type { RetryPolicy } from "./policy.ts";

const full = { baseDelayMs: 500, maxDelayMs: 30_000, jitter: "full" as const };

describe("exponential backoff", () => {
  it("doubles the ceiling per retry up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(n, full))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("full jitter draws uniformly in [0, ceiling): random 0 -> 0, random -> 1 -> just under the ceiling", () => {
    expect(retryDelay(3, full, () => 0)).toBe(0);
    expect(retryDelay(3, full, () => 0.5)).toBe(1000);
    expect(retryDelay(3, full, () => 0.999999)).toBe(1999);
    for (let i = 0; i < 200; i++) {
      const d = retryDelay(4, full, Math.random);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(4000);
    }
  });

  it("equal jitter keeps at least half the ceiling; none waits the ceiling without drawing", () => {
    const equal = { ...full, jitter: "equal" as const };
    expect(retryDelay(3, equal, () => 0)).toBe(1000);
    expect(retryDelay(3, equal, () => 0.999999)).toBe(2000);
    const none = { ...full, jitter: "none" as const };
    expect(retryDelay(3, none, () => Number.NaN)).toBe(2000);
  });

  it("rejects a broken random source, bad retry numbers and bad policies", () => {
    expect(() => retryDelay(1, full, () => 1)).toThrow("random() must return a number in [0, 1)");
    expect(() => retryDelay(1, full, () => Number.NaN)).toThrow("random()");
    expect(() => backoffCeiling(0, full)).toThrow("retry must be an integer >= 1");
    const ok: RetryPolicy = { ...full, attempts: 3, retryable: () => true };
    expect(() => validateRetryPolicy({ ...ok, attempts: 0 }, "x")).toThrow("x: attempts must be an integer >= 1, got 0");
    expect(() => validateRetryPolicy({ ...ok, attempts: 1.5 }, "x")).toThrow(RangeError);
    expect(() => validateRetryPolicy({ ...ok, baseDelayMs: -1 }, "x")).toThrow("x: delays must be >= 0");
    expect(() => validateRetryPolicy({ ...ok, attempts: Number.POSITIVE_INFINITY }, "x")).not.toThrow();
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

describe("withRetry (p-retry)", () => {
  const transient = new Error("transient");
  const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250, jitter: "none", retryable: (e) => e === transient };

  function failing(times: number, error: unknown) {
    const attempts: number[] = [];
    const fn = async (attempt: number) => {
      attempts.push(attempt);
      if (attempts.length <= times) throw error;
      return "ok";
    };
    return { fn, attempts };
  }

  it("retries retryable errors with the policy's waits, reporting each retry", async () => {
    const { fn, attempts } = failing(3, transient);
    const slept: number[] = [];
    const events: string[] = [];
    const result = await withRetry(fn, policy, {
      sleep: async (ms) => void slept.push(ms),
      onRetry: ({ attempt, delayMs, error }) => events.push(`${attempt} ${delayMs} ${(error as Error).message}`),
    });
    expect(result).toBe("ok");
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(slept).toEqual([100, 200, 250]);
    expect(events).toEqual(["1 100 transient", "2 200 transient", "3 250 transient"]);
  });

  it("throws the last error as thrown after the last attempt, without waiting after it", async () => {
    const { fn, attempts } = failing(10, transient);
    const slept: number[] = [];
    await expect(withRetry(fn, policy, { sleep: async (ms) => void slept.push(ms) })).rejects.toBe(transient);
    expect(attempts).toHaveLength(4);
    expect(slept).toHaveLength(3);
  });

  it("throws errors that are not retryable at once, unchanged, even TypeErrors and non-Errors", async () => {
    for (const thrown of [new Error("permanent"), new TypeError("bug"), "a string"]) {
      const { fn, attempts } = failing(10, thrown);
      await expect(withRetry(fn, policy, { sleep: async () => {} })).rejects.toBe(thrown);
      expect(attempts).toHaveLength(1);
    }
    // A retryable TypeError is retried (p-retry alone would give up on it at once).
    const typeError = new TypeError("fetch failed");
    const { fn, attempts } = failing(1, typeError);
    await withRetry(fn, { ...policy, retryable: (e) => e === typeError }, { sleep: async () => {} });
    expect(attempts).toHaveLength(2);
  });

  it("stops once maxElapsedMs has passed and cuts the last wait to fit", async () => {
    const { fn, attempts } = failing(100, transient);
    const slept: number[] = [];
    const bounded: RetryPolicy = { ...policy, attempts: Number.POSITIVE_INFINITY, baseDelayMs: 40, maxDelayMs: 40, maxElapsedMs: 100 };
    await expect(
      withRetry(fn, bounded, {
        sleep: async (ms) => {
          slept.push(ms);
          await new Promise((r) => setTimeout(r, ms));
        },
      }),
    ).rejects.toBe(transient);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThan(10);
    expect(slept.slice(0, 2)).toEqual([40, 40]);
    expect(slept.at(-1)).toBeLessThanOrEqual(40);
  });

  it("ends the retries with the sleep's rejection (e.g. an abort)", async () => {
    const { fn, attempts } = failing(10, transient);
    const stop = new Error("aborted");
    await expect(withRetry(fn, policy, { sleep: () => Promise.reject(stop) })).rejects.toBe(stop);
    expect(attempts).toHaveLength(1);
  });
});
