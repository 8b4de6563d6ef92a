// Loading an hourly artifact for prediction with the TypeScript predictor (no WebAssembly): used by
// serving and by the training pipeline's evaluate and promote steps, so both score the same models.
import { ArtifactError, type HourlyArtifact, parseHourlyArtifact } from "./artifact.ts";
import type { RowPredictor } from "./hourly-model.ts";
import { type Model, parseModel } from "./predictor/index.ts";

export interface LoadedHourlyModel {
  artifact: HourlyArtifact;
  /** One TS predictor per artifact group. */
  models: Model[];
  predictors: RowPredictor[];
}

/**
 * Parses the artifact and its group models; throws ArtifactError when they do not fit together.
 * `compiled`: the group models already decoded from the version's compiled model (serving's
 * LoadedModel.hourlyModels), used instead of parsing the groups' LightGBM text (same checks).
 */
export function loadHourlyModel(input: string | unknown, compiled?: readonly Model[] | null): LoadedHourlyModel {
  const artifact = parseHourlyArtifact(input);
  if (compiled && compiled.length !== artifact.groups.length)
    throw new ArtifactError("corrupt", `the compiled model has ${compiled.length} lead-group models, the artifact ${artifact.groups.length}`);
  const models = artifact.groups.map((g, k) => {
    const m = compiled ? compiled[k]! : parseModel(g.lightgbmModel);
    const where = `group ${k} (leads ${g.leads[0]}..${g.leads[1]} h)`;
    if (m.featureNames.join(",") !== artifact.featureNames.join(","))
      throw new ArtifactError("corrupt", `${where}: its model reads ${m.featureNames.join(", ")}, the artifact lists ${artifact.featureNames.join(", ")}`);
    if (m.numOutputs !== 1) throw new ArtifactError("corrupt", `${where}: its model gives ${m.numOutputs} values per row`);
    if (m.info.numIterations !== g.iterations)
      throw new ArtifactError("corrupt", `${where}: its model has ${m.info.numIterations} iterations, the artifact says ${g.iterations}`);
    return m;
  });
  const predictors: RowPredictor[] = models.map((m) => (data, n) => m.predictBatch(data, n));
  return { artifact, models, predictors };
}
