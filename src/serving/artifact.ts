// Whether the 24 h model can be served. The feature half of a model version: `features.json` is the ModelArtifact of
// src/model/forecast-model.ts (exportModel) without its `lightgbmModel` field — format, feature spec,
// recipe, climatology, training cutoff, iterations, rows, validation RMSE. Serving rebuilds feature
// rows with buildForecastDataset from the recipe and the climatology, so the artifact must describe
// exactly the features this code computes: anything else is refused as incompatible.
import type { ServingArtifact } from "../model/artifact.ts";
import { FEATURE_CATALOGUE_VERSION, FeatureError, featureSpec, HORIZON_HOURS } from "../model/features.ts";
import type { Model } from "../model/predictor/index.ts";

export { type ArtifactProblem, isArtifactProblem, parseServingArtifact, type ServingArtifact } from "../model/artifact.ts";

/**
 * Whether this code can serve the artifact with this LightGBM model: the feature catalogue version,
 * the features (names, order, definitions) and the target must be what this code computes, and the
 * model must read exactly those features and give one value per row. Returns the problem, or null.
 */
export function incompatibility(a: ServingArtifact, model: Model, registeredSpecVersion: string): string | null {
  if (a.spec.version !== FEATURE_CATALOGUE_VERSION) {
    return `it was trained with feature catalogue ${a.spec.version}; this code computes ${FEATURE_CATALOGUE_VERSION} (retrain it)`;
  }
  if (registeredSpecVersion !== a.spec.version) {
    return `the registry records feature spec ${registeredSpecVersion}, features.json says ${a.spec.version}`;
  }
  if (a.spec.horizonHours !== HORIZON_HOURS) return `it forecasts ${a.spec.horizonHours} h ahead; this code serves ${HORIZON_HOURS} h`;
  let current;
  try {
    current = featureSpec(a.recipe.features, a.recipe.target);
  } catch (e) {
    if (e instanceof FeatureError) return `its recipe names features this code does not have (${e.message})`;
    throw e;
  }
  if (JSON.stringify(current) !== JSON.stringify(a.spec)) {
    return `its feature spec (${a.spec.features.map((f) => f.name).join(", ")}, target ${a.spec.target}) is not what this code computes for that recipe (retrain it)`;
  }
  const names = a.spec.features.map((f) => f.name);
  if (model.featureNames.join(",") !== names.join(",")) {
    return `model.txt reads features ${model.featureNames.join(", ")}, features.json lists ${names.join(", ")}`;
  }
  if (model.numOutputs !== 1) return `model.txt gives ${model.numOutputs} values per row; a temperature model gives one`;
  if (model.info.numIterations !== a.iterations) return `model.txt has ${model.info.numIterations} iterations, features.json says ${a.iterations}`;
  return null;
}
