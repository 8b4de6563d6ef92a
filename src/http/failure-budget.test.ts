import { describe, expect, it } from "vitest";
import { FailureBudget } from "./failure-budget.ts";

describe("FailureBudget", () => {
  it("allows a burst of failures per client, then asks to wait until a token comes back", () => {
    let now = 0;
    const b = new FailureBudget({ burst: 3, refillMs: 6_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(b.retryAfterSeconds("a")).toBe(0);
      b.fail("a");
    }
    expect(b.retryAfterSeconds("a")).toBe(6);
    expect(b.retryAfterSeconds("b")).toBe(0); // other clients are not affected
    now = 4_500;
    expect(b.retryAfterSeconds("a")).toBe(2);
    now = 6_000;
    expect(b.retryAfterSeconds("a")).toBe(0);
    b.fail("a");
    expect(b.retryAfterSeconds("a")).toBe(6);
    now = 60_000; // fully refilled
    for (let i = 0; i < 3; i++) b.fail("a");
    expect(b.retryAfterSeconds("a")).toBe(6);
  });

  it("tracks a bounded number of clients, dropping refilled ones first", () => {
    let now = 0;
    const b = new FailureBudget({ burst: 2, refillMs: 1_000, maxClients: 100, now: () => now });
    b.fail("attacker");
    b.fail("attacker");
    now = 500;
    for (let i = 0; i < 1_000; i++) b.fail(`spoof-${i}`);
    expect(b.size).toBeLessThanOrEqual(100);
  });
});
