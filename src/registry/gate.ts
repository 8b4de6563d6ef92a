// The automatic promotion gate (the seed's "deploy to Production when it meets the bar"), as a pure
// decision. A new version becomes production only if, on its holdout window:
//   1. it beats persistence by a margin:      rmse < persistenceRmse × (1 − minSkillMargin), and
//   2. it is not worse than production there: rmse ≤ productionRmse × (1 + maxRegression),
//      where productionRmse is the CURRENT production model re-scored by the caller on the same
//      window (same issue hours, same rows) — the RMSE production had on its own, older holdout
//      says nothing about these hours.
// With no production version yet, check 1 alone decides. Otherwise the version becomes (or stays)
// the `candidate`, and the decision's reason says which check failed and by how much.
import { toUtcSecond } from "../db/utc-time.ts";
import { GateInputError } from "./errors.ts";

export interface GatePolicy {
  /** Fraction by which the model must beat persistence's RMSE, 0 <= x < 1. */
  minSkillMargin: number;
  /** Fraction by which the model may be worse than production's RMSE on the same window, 0 <= x < 1. */
  maxRegression: number;
  /** Hourly model sets: fraction by which any single lead may be worse than persistence at that lead, 0 <= x < 1. */
  maxLeadLoss: number;
}

/**
 * Beat persistence by 2 % (a model that merely ties "the same as now" is not worth serving), and
 * allow 1 % against production: a model retrained on fresher data that scores within noise of the
 * current one should replace it, or the served model only ever ages.
 */
export const DEFAULT_GATE_POLICY: Readonly<GatePolicy> = Object.freeze({ minSkillMargin: 0.02, maxRegression: 0.01, maxLeadLoss: 0.05 });

/** A holdout window: issue hours [from, to) (UTC) and the number of verified rows in it. */
export interface HoldoutWindow {
  from: string;
  to: string;
  n: number;
}

/** The new version's holdout scores (°C). */
export interface CandidateScore {
  version: string;
  window: HoldoutWindow;
  rmse: number;
  persistenceRmse: number;
}

/** The current production model re-scored by the caller on the candidate's window (°C). */
export interface ProductionRescore {
  /** The production version that was re-scored (must still be production when the gate records). */
  version: string;
  /** Must equal the candidate's window: same from, to and row count. */
  window: HoldoutWindow;
  rmse: number;
}

/** The candidate's holdout scores at one lead of the hourly set (°C). */
export interface LeadScore {
  lead: number;
  rmse: number;
  persistenceRmse: number;
  /** The best of persistence, diurnal persistence and climatology at this lead. */
  bestBaselineRmse: number;
}

export interface GateInput {
  candidate: CandidateScore;
  /** Per-lead scores of an hourly (1..48 h) model set: no lead may be worse than persistence by more than maxLeadLoss. */
  leads?: readonly LeadScore[];
  /** null only when the location has no production version yet. */
  production: ProductionRescore | null;
}

export interface GateCheck {
  name: "beats_persistence" | "no_regression" | "leads_vs_persistence";
  passed: boolean;
  /** The candidate's RMSE. */
  value: number;
  /** What it had to be below (beats_persistence) or at most (no_regression). */
  threshold: number;
  detail: string;
}

export interface GateDecision {
  promote: boolean;
  candidate: string;
  production: string | null;
  window: HoldoutWindow;
  checks: GateCheck[];
  /** One line: what was decided and why. */
  reason: string;
  policy: GatePolicy;
}

const f = (x: number) => x.toFixed(4);
const pct = (x: number) => `${Number((x * 100).toFixed(6))}%`;

function checkNumber(value: number, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new GateInputError(`${what} must be a finite number >= 0, got ${value}`);
}

function checkMargin(value: number, what: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value >= 1)
    throw new GateInputError(`${what} must be a fraction from 0 (inclusive) to 1 (exclusive), got ${value}`);
}

export function normalizeWindow(w: HoldoutWindow, what: string): HoldoutWindow {
  if (w === null || typeof w !== "object") throw new GateInputError(`${what} is required`);
  let from: string;
  let to: string;
  try {
    from = toUtcSecond(w.from, `${what}.from`);
    to = toUtcSecond(w.to, `${what}.to`);
  } catch (e) {
    throw new GateInputError((e as Error).message);
  }
  if (!(to > from)) throw new GateInputError(`${what} must end after it starts, got ${from}..${to}`);
  if (!Number.isInteger(w.n) || w.n <= 0) throw new GateInputError(`${what}.n must be a whole number of rows > 0, got ${w.n}`);
  return { from, to, n: w.n };
}

export function resolvePolicy(policy: Partial<GatePolicy> = {}): GatePolicy {
  const p = { ...DEFAULT_GATE_POLICY, ...policy };
  checkMargin(p.minSkillMargin, "minSkillMargin");
  checkMargin(p.maxRegression, "maxRegression");
  checkMargin(p.maxLeadLoss, "maxLeadLoss");
  return { minSkillMargin: p.minSkillMargin, maxRegression: p.maxRegression, maxLeadLoss: p.maxLeadLoss };
}

/** [1,2,3,5,7,8] -> "1-3,5,7-8"; "none" when empty. */
export function leadRanges(leads: readonly number[]): string {
  if (!leads.length) return "none";
  const s = [...leads].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(i === j ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

const describeWindow = (w: HoldoutWindow) => `${w.from}..${w.to} (n=${w.n})`;

/** Decides whether the candidate becomes production. Pure; throws GateInputError on unusable inputs. */
export function decidePromotion(input: GateInput, policyOverrides: Partial<GatePolicy> = {}): GateDecision {
  const policy = resolvePolicy(policyOverrides);
  const { candidate, production } = input;
  if (!candidate || typeof candidate.version !== "string" || candidate.version === "") throw new GateInputError("candidate.version is required");
  const window = normalizeWindow(candidate.window, "candidate.window");
  checkNumber(candidate.rmse, "candidate.rmse");
  checkNumber(candidate.persistenceRmse, "candidate.persistenceRmse");

  const checks: GateCheck[] = [];
  const persistenceBar = candidate.persistenceRmse * (1 - policy.minSkillMargin);
  const beats = candidate.rmse < persistenceBar;
  checks.push({
    name: "beats_persistence",
    passed: beats,
    value: candidate.rmse,
    threshold: persistenceBar,
    detail: `rmse ${f(candidate.rmse)} ${beats ? "<" : ">="} persistence ${f(candidate.persistenceRmse)} × (1 − ${policy.minSkillMargin}) = ${f(persistenceBar)}`,
  });

  if (production !== null) {
    if (!production || typeof production.version !== "string" || production.version === "") throw new GateInputError("production.version is required");
    if (production.version === candidate.version)
      throw new GateInputError(`version ${candidate.version} is already production; the gate compares a new version with it`);
    const pw = normalizeWindow(production.window, "production.window");
    if (pw.from !== window.from || pw.to !== window.to || pw.n !== window.n) {
      throw new GateInputError(
        `production ${production.version} was re-scored on ${describeWindow(pw)}, but the candidate's holdout is ${describeWindow(window)}: re-score production on the same window and rows`,
      );
    }
    checkNumber(production.rmse, "production.rmse");
    const regressionBar = production.rmse * (1 + policy.maxRegression);
    const ok = candidate.rmse <= regressionBar;
    checks.push({
      name: "no_regression",
      passed: ok,
      value: candidate.rmse,
      threshold: regressionBar,
      detail: `rmse ${f(candidate.rmse)} ${ok ? "<=" : ">"} production ${production.version}'s ${f(production.rmse)} × (1 + ${policy.maxRegression}) = ${f(regressionBar)}`,
    });
  }

  if (input.leads?.length) {
    for (const l of input.leads) {
      checkNumber(l.rmse, `lead ${l.lead} rmse`);
      checkNumber(l.persistenceRmse, `lead ${l.lead} persistenceRmse`);
    }
    const beat = input.leads.filter((l) => l.rmse < l.persistenceRmse).map((l) => l.lead);
    const failed = input.leads.filter((l) => !(l.rmse <= l.persistenceRmse * (1 + policy.maxLeadLoss))).map((l) => l.lead);
    const best = input.leads.filter((l) => l.rmse < l.bestBaselineRmse).map((l) => l.lead);
    const worst = input.leads.reduce((a, b) => (b.rmse / b.persistenceRmse > a.rmse / a.persistenceRmse ? b : a));
    checks.push({
      name: "leads_vs_persistence",
      passed: failed.length === 0,
      value: worst.rmse,
      threshold: worst.persistenceRmse * (1 + policy.maxLeadLoss),
      detail: `leads beating persistence: ${leadRanges(beat)} (${beat.length}/${input.leads.length}); beating the best of persistence, diurnal persistence and climatology: ${leadRanges(best)} (${best.length}/${input.leads.length}); worse than persistence × (1 + ${policy.maxLeadLoss}): ${leadRanges(failed)}`,
    });
  }

  const promote = checks.every((c) => c.passed);
  const on = `on ${describeWindow(window)}`;
  const reason = promote
    ? `promoted: ${checks.map((c) => c.detail).join(" and ")} ${on}${production === null ? "; no production version before" : ""}`
    : `kept as candidate: ${checks
        .filter((c) => !c.passed)
        .map(
          (c) =>
            (c.name === "beats_persistence"
              ? `does not beat persistence by ${pct(policy.minSkillMargin)}: `
              : c.name === "no_regression"
                ? `worse than production by more than ${pct(policy.maxRegression)}: `
                : `a lead is worse than persistence by more than ${pct(policy.maxLeadLoss)}: `) + c.detail,
        )
        .join("; ")} ${on}`;
  return { promote, candidate: candidate.version, production: production?.version ?? null, window, checks, reason, policy };
}
