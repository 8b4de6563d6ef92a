// Recipe selection inside the training period: every candidate is scored by blocked
// cross-validation (or a walk-forward backtest) on a series that ends before the test period (this
// is checked), so the test months cannot influence the choice. Greedy forward feature selection,
// then the target transform, then the training protocol, repeated while it still helps.
import type { LightGBM } from "../src/model/lightgbm-wasm/index.ts";
import { runBacktest, runBlockedCv } from "../src/model/backtest.ts";
import type { ModelRecipe } from "../src/model/forecast-model.ts";
import { buildForecastDataset } from "../src/model/dataset.ts";
import { fitClimatology, kmaLookup } from "../src/model/baselines.ts";
import { featureDefs, type TargetTransformName } from "../src/model/features.ts";
import { type HourlySeries, isoHour } from "../src/model/series.ts";

/** How candidates are scored; both stay inside the series given (the training period). */
export type SelectionValidation =
  | { kind: "walk-forward"; from: number; to: number; retrainEveryDays: number }
  | { kind: "blocked-cv"; blocks: readonly { from: number; to: number }[] };

export interface SelectionOptions {
  validation: SelectionValidation;
  /** The series must end before this instant (the start of the test period): checked, not assumed. */
  trainingEnd: number;
  /** The starting recipe (its features are the initial set). */
  start: ModelRecipe;
  /** Features the forward selection may add. Features with no value at all in the series are skipped. */
  candidates: readonly string[];
  /** Accept a feature only if it lowers the validation RMSE by at least this much, °C. */
  minImprovement: number;
  maxRounds: number;
  /** Repeat features -> target -> protocol up to this many times (a new protocol can change which features help). */
  passes: number;
  targets: readonly TargetTransformName[];
  /** Training-protocol variants (params / early-stopping settings) tried on the chosen features and target. */
  protocols: readonly { name: string; patch: Partial<ModelRecipe> }[];
  log?: (line: string) => void;
}

export interface Trial {
  stage: "features" | "target" | "protocol";
  description: string;
  rmse: number;
  persistence_rmse: number;
  skill: number;
  accepted: boolean;
}

export interface SelectionResult {
  recipe: ModelRecipe;
  rmse: number;
  persistence_rmse: number;
  skill: number;
  trials: Trial[];
  skipped: string[];
}

export function selectRecipe(lgb: LightGBM, series: HourlySeries, opts: SelectionOptions): SelectionResult {
  const last = series.observations.at(-1)?.time ?? -Infinity;
  if (last >= opts.trainingEnd) {
    throw new Error(`selection series runs to ${isoHour(last)}, past the end of the training period ${isoHour(opts.trainingEnd)}; cut it off first`);
  }
  const log = opts.log ?? (() => {});
  const trials: Trial[] = [];
  const v = opts.validation;
  const score = (recipe: ModelRecipe) => {
    const { report } =
      v.kind === "walk-forward"
        ? runBacktest(lgb, series, { from: v.from, to: v.to, retrainEveryDays: v.retrainEveryDays, recipe })
        : runBlockedCv(lgb, series, { blocks: v.blocks, recipe });
    return { rmse: report.model.rmse, persistence_rmse: report.persistence.rmse, skill: report.skill };
  };
  const record = (stage: Trial["stage"], description: string, s: ReturnType<typeof score>, accepted: boolean) => {
    trials.push({ stage, description, ...s, accepted });
    log(`${stage.padEnd(8)} ${description.padEnd(44)} rmse ${s.rmse.toFixed(4)} skill ${s.skill.toFixed(4)}${accepted ? "  <- accepted" : ""}`);
  };

  // Candidates that are NaN on every row (a field this series does not have) cannot be judged here.
  const probe = buildForecastDataset(series, {
    features: opts.candidates,
    target: "delta",
    context: { climatology: fitClimatology(series), kma: kmaLookup(series.kmaForecasts) },
  });
  const skipped = opts.candidates.filter((_, c) => {
    for (let r = 0; r < probe.numRows; r++) if (!Number.isNaN(probe.data[r * probe.numCols + c]!)) return false;
    return true;
  });
  const climatologyFeature = (f: string) => featureDefs([f])[0]?.group === "climatology";
  let pool = opts.candidates.filter((f) => !skipped.includes(f) && !opts.start.features.includes(f));
  if (skipped.length) log(`skipped (no values in this series): ${skipped.join(", ")}`);

  let best = opts.start;
  let bestScore = score(best);
  record("features", `start: ${best.features.join(", ")}`, bestScore, true);
  const accept = (recipe: ModelRecipe, s: ReturnType<typeof score>) => {
    best = recipe;
    bestScore = s;
  };

  for (let pass = 1; pass <= opts.passes; pass++) {
    log(`-- pass ${pass}`);
    const before = bestScore.rmse;
    // Forward selection: add the candidate that lowers the validation RMSE most, while it helps enough.
    for (let round = 0; round < opts.maxRounds && pool.length; round++) {
      let roundBest: { f: string; recipe: ModelRecipe; s: ReturnType<typeof score> } | undefined;
      for (const f of pool) {
        const recipe = { ...best, features: [...best.features, f] };
        const s = score(recipe);
        record("features", `+ ${f}${climatologyFeature(f) ? " (climatology)" : ""}`, s, false);
        if (!roundBest || s.rmse < roundBest.s.rmse) roundBest = { f, recipe, s };
      }
      if (!roundBest || bestScore.rmse - roundBest.s.rmse < opts.minImprovement) {
        log(`features: no candidate lowers RMSE by ${opts.minImprovement} °C or more; stop adding`);
        break;
      }
      accept(roundBest.recipe, roundBest.s);
      const added = roundBest.f;
      pool = pool.filter((f) => f !== added);
      record("features", `accept ${added}`, bestScore, true);
    }

    const afterFeatures = bestScore.rmse;
    for (const target of opts.targets) {
      if (target === best.target) continue;
      const recipe = { ...best, target };
      const s = score(recipe);
      const ok = bestScore.rmse - s.rmse >= opts.minImprovement;
      record("target", `target ${target}`, s, ok);
      if (ok) accept(recipe, s);
    }

    // Protocol variants are patches on this pass's recipe; the best one that helps enough is kept.
    const base = best;
    for (const p of opts.protocols) {
      const recipe: ModelRecipe = { ...base, ...p.patch, params: { ...base.params, ...(p.patch.params ?? {}) } };
      if (JSON.stringify(recipe) === JSON.stringify(base)) continue;
      const s = score(recipe);
      const ok = bestScore.rmse - s.rmse >= opts.minImprovement;
      record("protocol", p.name, s, ok);
      if (ok) accept(recipe, s);
    }
    // Another feature pass only makes sense if the target or the protocol changed.
    if (before - bestScore.rmse < opts.minImprovement || bestScore.rmse === afterFeatures) {
      log(`pass ${pass}: the target and protocol stayed; done`);
      break;
    }
  }
  return { recipe: best, ...bestScore, trials, skipped };
}
