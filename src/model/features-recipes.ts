// Recipes: a feature list + target transform + LightGBM training parameters. DEFAULT_RECIPE is the
// one chosen by rolling-origin validation inside the training period (scripts/backtest-seoul-bike.ts
// --select, starting from SELECTION_START_RECIPE); SEED_RECIPE reproduces the seed project's model.
import type { Params } from "./lightgbm-wasm/index.ts";
import type { ModelRecipe } from "./backtest-model.ts";
import { featuresInGroups } from "./features.ts";

/** Determinism: one thread, fixed seeds, LightGBM's deterministic mode. */
export const DETERMINISTIC_PARAMS: Params = {
  deterministic: true,
  num_threads: 1,
  seed: 20240601,
  force_row_wise: true,
  verbosity: -1,
};

/** The seed project: LGBMRegressor(learning_rate=0.01, num_leaves=10, n_estimators=2000, min_child_samples=5), level target, no early stopping. */
export const SEED_RECIPE: ModelRecipe = {
  name: "seed",
  description: "the seed project's model: ta/hm lags and rolling means, hour/day-of-week, level target, 2000 trees, no early stopping",
  features: featuresInGroups(["seed"]),
  target: "level",
  params: { ...DETERMINISTIC_PARAMS, objective: "regression", learning_rate: 0.01, num_leaves: 10, num_iterations: 2000, min_data_in_leaf: 5 },
  validationDays: 0,
  earlyStoppingRounds: 0,
  refit: false,
};

/**
 * Where the selection starts: the diurnal clock only, a delta target, and strongly regularised
 * trees (a 24-hour temperature change has a weak, noisy signal: small trees, 200 rows per leaf,
 * L2 10, a low learning rate and a fixed number of rounds keep the trees from chasing noise).
 */
export const SELECTION_START_RECIPE: ModelRecipe = {
  name: "selection-start",
  description: "hour of day only, delta target",
  features: ["hour_sin", "hour_cos"],
  target: "delta",
  params: {
    ...DETERMINISTIC_PARAMS,
    objective: "regression",
    learning_rate: 0.02,
    num_leaves: 7,
    min_data_in_leaf: 200,
    lambda_l2: 10,
    num_iterations: 300,
  },
  validationDays: 0,
  earlyStoppingRounds: 0,
  refit: false,
};

/**
 * The recipe `--select` chose (rolling-origin validation over 2018-04..08 inside the training
 * period; see scripts/backtest-seoul-bike.ts): the KST hour of day and T(t) relative to its 30-day
 * mean (mean reversion), a target with the climatology's seasonal drift removed, small trees.
 * Every other feature in the catalogue lowered the validation score when added (the selection log
 * lists them). The KMA forecast feature is included by design (model output statistics): where no
 * KMA forecast is present it is NaN on every row, LightGBM ignores it, and the model is unchanged.
 */
export const DEFAULT_RECIPE: ModelRecipe = {
  name: "nalssi-v1",
  description: "hour of day + 30-day mean reversion (+ KMA forecast when present), target T(t+24h) - T(t) - climatological drift",
  features: ["hour_sin", "hour_cos", "ta_mean720_rel", "kma_t24_rel"],
  target: "delta_clim",
  params: {
    ...SELECTION_START_RECIPE.params,
    num_leaves: 4,
    num_iterations: 600,
    feature_fraction: 0.8,
    bagging_fraction: 0.8,
    bagging_freq: 1,
  },
  validationDays: 0,
  earlyStoppingRounds: 0,
  refit: false,
};
