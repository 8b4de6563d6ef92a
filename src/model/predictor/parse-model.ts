// parseModel: LightGBM model text -> Model, all or nothing. Every check happens before the Model
// exists, so a damaged or unsupported text never yields a half-loaded model.
import { compactForest } from "./compact-forest.ts";
import { ModelTextError } from "./errors.ts";
import { type FeatureInfo, parseFeatureInfo } from "./feature-info.ts";
import { Model, type ModelInfo, type ModelOptions } from "./model.ts";
import { splitModelText } from "./model-text.ts";
import { parseInteger } from "./number-text.ts";
import { parseObjective } from "./objective.ts";
import { CATEGORICAL_MASK, parseTree } from "./tree-text.ts";

/** Parses LightGBM model text (v4) into a Model, or throws a ModelTextError naming what is wrong. */
export function parseModel(text: string, options: ModelOptions = {}): Model {
  const sections = splitModelText(text);
  const { header } = sections;
  const required = (key: string): string => {
    const v = header.get(key);
    if (v === undefined) throw new ModelTextError("missing-field", "header", `no ${key} line`);
    return v;
  };
  const int = (key: string, raw: string, min: number): number => {
    const n = parseInteger(raw);
    if (n === undefined) throw new ModelTextError("bad-number", `header ${key}`, `${JSON.stringify(raw)} is not an integer`);
    if (n < min) throw new ModelTextError("inconsistent", `header ${key}`, `${key} is ${n}, must be >= ${min}`);
    return n;
  };

  const numClass = int("num_class", required("num_class"), 1);
  const numTreePerIteration = header.has("num_tree_per_iteration") ? int("num_tree_per_iteration", required("num_tree_per_iteration"), 1) : numClass;
  const labelIndex = int("label_index", required("label_index"), -1);
  const maxFeatureIdx = int("max_feature_idx", required("max_feature_idx"), 0);
  const numFeatures = maxFeatureIdx + 1;

  const featureNames = required("feature_names").split(" ").filter(Boolean);
  if (featureNames.length !== numFeatures) {
    throw new ModelTextError("length-mismatch", "header feature_names", `${featureNames.length} names, expected max_feature_idx + 1 = ${numFeatures}`);
  }
  const infoTokens = required("feature_infos").split(" ").filter(Boolean);
  if (infoTokens.length !== numFeatures) {
    throw new ModelTextError("length-mismatch", "header feature_infos", `${infoTokens.length} entries, expected max_feature_idx + 1 = ${numFeatures}`);
  }
  const featureInfos: FeatureInfo[] = infoTokens.map((t, i) => parseFeatureInfo(t, i));
  let monotoneConstraints: number[] | undefined;
  const mono = header.get("monotone_constraints");
  if (mono !== undefined) {
    const toks = mono.split(" ").filter(Boolean);
    if (toks.length !== numFeatures) {
      throw new ModelTextError("length-mismatch", "header monotone_constraints", `${toks.length} entries, expected ${numFeatures}`);
    }
    monotoneConstraints = toks.map((t) => {
      const n = parseInteger(t);
      if (n === undefined || n < -1 || n > 1) throw new ModelTextError("bad-number", "header monotone_constraints", `${JSON.stringify(t)} is not -1, 0 or 1`);
      return n;
    });
  }

  const objective = parseObjective(header.get("objective"));
  if (objective.numClass !== undefined && (objective.numClass !== numClass || numTreePerIteration !== numClass)) {
    throw new ModelTextError(
      "inconsistent",
      "header objective",
      `objective "${objective.text}" has ${objective.numClass} classes but num_class=${numClass} and num_tree_per_iteration=${numTreePerIteration}`,
    );
  }
  if (objective.numClass === undefined && objective.name !== "none" && objective.name !== "custom" && numTreePerIteration !== 1) {
    throw new ModelTextError(
      "inconsistent",
      "header objective",
      `objective "${objective.text}" gives one value per row but num_tree_per_iteration=${numTreePerIteration}`,
    );
  }

  const trees = sections.trees.map((fields, i) => parseTree(fields, i, numFeatures));
  if (trees.length % numTreePerIteration !== 0) {
    throw new ModelTextError("inconsistent", "trees", `${trees.length} trees is not a whole number of iterations of ${numTreePerIteration} trees`);
  }
  let numNodes = 0;
  let numLeaves = 0;
  let hasCategoricalSplits = false;
  let hasLinearTrees = false;
  for (const t of trees) {
    numNodes += t.numLeaves - 1;
    numLeaves += t.numLeaves;
    hasLinearTrees ||= t.isLinear;
    hasCategoricalSplits ||= t.decisionType.some((d) => (d & CATEGORICAL_MASK) !== 0);
  }

  const info: ModelInfo = {
    version: required("version"),
    objective,
    numClass,
    numTreePerIteration,
    numTrees: trees.length,
    numIterations: trees.length / numTreePerIteration,
    labelIndex,
    averageOutput: header.has("average_output"),
    featureNames,
    featureInfos,
    monotoneConstraints,
    hasCategoricalSplits,
    hasLinearTrees,
    numNodes,
    numLeaves,
    parameters: sections.parameters,
    pandasCategorical: sections.pandasCategorical,
  };
  if (header.get("average_output") !== undefined && header.get("average_output") !== "") {
    throw new ModelTextError("not-a-model", "header average_output", `average_output takes no value, found "${header.get("average_output")}"`);
  }
  return new Model(info, compactForest(trees), options);
}
