// The promotion gate's decision: pure, so every boundary is checked exactly.
import { describe, expect, it } from "vitest";
import { GateInputError } from "./errors.ts";
import { DEFAULT_GATE_POLICY, decidePromotion } from "./gate.ts";
import type { GateInput } from "./gate.ts";

const window = { from: "2025-04-01T00:00:00Z", to: "2025-05-01T00:00:00Z", n: 720 };
const input = (rmse: number, persistenceRmse: number, productionRmse?: number): GateInput => ({
  candidate: { version: "20250529T183000Z", window, rmse, persistenceRmse },
  production: productionRmse === undefined ? null : { version: "20250501T000000Z", window: { ...window }, rmse: productionRmse },
});

describe("decidePromotion without a production version", () => {
  it("promotes a model that beats persistence by the margin", () => {
    const d = decidePromotion(input(1.9, 2.0));
    expect(d.promote).toBe(true);
    expect(d.production).toBeNull();
    expect(d.checks).toEqual([
      { name: "beats_persistence", passed: true, value: 1.9, threshold: 2.0 * 0.98, detail: "rmse 1.9000 < persistence 2.0000 × (1 − 0.02) = 1.9600" },
    ]);
    expect(d.reason).toBe(
      "promoted: rmse 1.9000 < persistence 2.0000 × (1 − 0.02) = 1.9600 on 2025-04-01T00:00:00Z..2025-05-01T00:00:00Z (n=720); no production version before",
    );
    expect(d.policy).toEqual(DEFAULT_GATE_POLICY);
  });

  it("keeps a model exactly at the persistence bar, or worse than persistence, as candidate", () => {
    const bar = 2.0 * (1 - 0.02);
    expect(decidePromotion(input(bar, 2.0)).promote).toBe(false);
    expect(decidePromotion(input(bar - 1e-12, 2.0)).promote).toBe(true);
    const d = decidePromotion(input(2.1, 2.0));
    expect(d.promote).toBe(false);
    expect(d.reason).toBe(
      "kept as candidate: does not beat persistence by 2%: rmse 2.1000 >= persistence 2.0000 × (1 − 0.02) = 1.9600 on 2025-04-01T00:00:00Z..2025-05-01T00:00:00Z (n=720)",
    );
  });

  it("uses the configured margin", () => {
    expect(decidePromotion(input(1.99, 2.0), { minSkillMargin: 0 }).promote).toBe(true);
    expect(decidePromotion(input(1.99, 2.0)).promote).toBe(false);
    expect(decidePromotion(input(1.85, 2.0), { minSkillMargin: 0.1 }).promote).toBe(false);
    expect(decidePromotion(input(1.75, 2.0), { minSkillMargin: 0.1 }).promote).toBe(true);
  });
});

describe("decidePromotion against production on the same window", () => {
  it("promotes when not worse than production beyond maxRegression (boundary included)", () => {
    expect(decidePromotion(input(1.8, 2.0, 1.85)).promote).toBe(true);
    const atBar = 1.8 * (1 + 0.01);
    const d = decidePromotion(input(atBar, 2.0, 1.8));
    expect(d.promote).toBe(true);
    expect(d.checks[1]).toMatchObject({ name: "no_regression", passed: true, threshold: atBar });
    expect(decidePromotion(input(atBar + 1e-12, 2.0, 1.8)).promote).toBe(false);
  });

  it("keeps a model that regresses as candidate, saying by how much", () => {
    const d = decidePromotion(input(1.9, 2.2, 1.7));
    expect(d.promote).toBe(false);
    expect(d.production).toBe("20250501T000000Z");
    expect(d.checks.map((c) => [c.name, c.passed])).toEqual([
      ["beats_persistence", true],
      ["no_regression", false],
    ]);
    expect(d.reason).toBe(
      "kept as candidate: worse than production by more than 1%: rmse 1.9000 > production 20250501T000000Z's 1.7000 × (1 + 0.01) = 1.7170 on 2025-04-01T00:00:00Z..2025-05-01T00:00:00Z (n=720)",
    );
  });

  it("lists every failed check", () => {
    const d = decidePromotion(input(2.5, 2.0, 1.7));
    expect(d.checks.every((c) => !c.passed)).toBe(true);
    expect(d.reason).toMatch(/does not beat persistence .*; worse than production/);
  });

  it("honours maxRegression = 0 (must not be worse at all) and larger tolerances", () => {
    expect(decidePromotion(input(1.8001, 2.2, 1.8), { maxRegression: 0 }).promote).toBe(false);
    expect(decidePromotion(input(1.8, 2.2, 1.8), { maxRegression: 0 }).promote).toBe(true);
    expect(decidePromotion(input(1.95, 2.2, 1.8), { maxRegression: 0.1 }).promote).toBe(true);
  });

  it("accepts the same window written differently (isoHour form, offsets)", () => {
    const i = input(1.8, 2.2, 1.85);
    i.production!.window = { from: "2025-04-01T09:00:00+09:00", to: "2025-05-01T00:00Z", n: 720 };
    expect(decidePromotion(i).promote).toBe(true);
  });
});

describe("decidePromotion refuses inputs it cannot compare", () => {
  it.each([
    { what: "another window", w: { from: "2025-03-01T00:00:00Z", to: "2025-04-01T00:00:00Z", n: 720 } },
    { what: "other rows", w: { ...window, n: 719 } },
  ])("production re-scored on $what", ({ w }) => {
    const i = input(1.8, 2.2, 1.85);
    i.production!.window = w;
    expect(() => decidePromotion(i)).toThrow(GateInputError);
    expect(() => decidePromotion(i)).toThrow(/re-score production on the same window and rows/);
  });

  it.each([
    { what: "NaN rmse", i: input(Number.NaN, 2) },
    { what: "infinite persistence", i: input(1, Number.POSITIVE_INFINITY) },
    { what: "negative production rmse", i: input(1, 2, -1) },
    { what: "empty window", i: { ...input(1, 2), candidate: { ...input(1, 2).candidate, window: { ...window, to: window.from } } } },
    { what: "no rows", i: { ...input(1, 2), candidate: { ...input(1, 2).candidate, window: { ...window, n: 0 } } } },
  ])("bad numbers or windows: $what", ({ i }) => {
    expect(() => decidePromotion(i)).toThrow(GateInputError);
  });

  it("bad policies and comparing a version with itself", () => {
    expect(() => decidePromotion(input(1, 2), { minSkillMargin: 1 })).toThrow(/minSkillMargin must be a fraction/);
    expect(() => decidePromotion(input(1, 2), { maxRegression: -0.1 })).toThrow(/maxRegression/);
    const same = input(1, 2, 1);
    same.production!.version = same.candidate.version;
    expect(() => decidePromotion(same)).toThrow(/already production/);
  });
});

describe("decidePromotion of an hourly model set", () => {
  const leads = (bad: number[], rmseBad = 2.5) =>
    Array.from({ length: 48 }, (_, k) => {
      const lead = k + 1;
      return { lead, rmse: bad.includes(lead) ? rmseBad : 1.5, persistenceRmse: 2.0, bestBaselineRmse: lead > 20 && lead < 25 ? 1.4 : 1.8 };
    });

  it("judges every lead against persistence (with maxLeadLoss), and the reason names the leads that passed", () => {
    const ok = decidePromotion({ ...input(1.5, 2.0), leads: leads([]) });
    expect(ok.promote).toBe(true);
    expect(ok.checks[1]).toMatchObject({ name: "leads_vs_persistence", passed: true });
    expect(ok.reason).toContain(
      "leads beating persistence: 1-48 (48/48); beating the best of persistence, diurnal persistence and climatology: 1-20,25-48 (44/48); worse than persistence × (1 + 0.05): none",
    );
    // 2.09 is within 5 % of persistence's 2.0: does not beat it, but passes.
    const close = decidePromotion({ ...input(1.5, 2.0), leads: leads([24], 2.09) });
    expect(close.promote).toBe(true);
    expect(close.reason).toContain("leads beating persistence: 1-23,25-48 (47/48)");
    const bad = decidePromotion({ ...input(1.5, 2.0), leads: leads([3, 4, 30]) });
    expect(bad.promote).toBe(false);
    expect(bad.reason).toContain("a lead is worse than persistence by more than 5%: leads beating persistence: 1-2,5-29,31-48 (45/48)");
    expect(bad.reason).toContain("worse than persistence × (1 + 0.05): 3-4,30");
    expect(decidePromotion({ ...input(1.5, 2.0), leads: leads([24], 2.09) }, { maxLeadLoss: 0 }).promote).toBe(false);
  });
});
