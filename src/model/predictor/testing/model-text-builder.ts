// Builds LightGBM v4 model text from small tree descriptions, for tests that need exact control of
// a model (every decision type, chosen leaf values) and load the same text into LightGBM-wasm.

export interface TreeSpec {
  /** Per internal node. */
  splitFeature: number[];
  threshold: number[];
  decisionType: number[];
  leftChild: number[];
  rightChild: number[];
  leafValue: number[];
  /** Categorical bitsets: cat_boundaries and cat_threshold (num_cat = boundaries.length - 1). */
  catBoundaries?: number[];
  catThreshold?: number[];
}

export interface ModelSpec {
  numFeatures: number;
  objective?: string;
  numClass?: number;
  averageOutput?: boolean;
  trees: TreeSpec[];
  /** Write tree_sizes (as LightGBM does); without it the trees are read one after another. */
  treeSizes?: boolean;
}

/** A double in a form LightGBM reads back exactly (shortest round-trip digits; -0, inf, -inf, nan). */
export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

function treeText(t: TreeSpec, index: number): string {
  const numLeaves = t.leafValue.length;
  const numCat = t.catBoundaries ? t.catBoundaries.length - 1 : 0;
  const lines = [
    `num_leaves=${numLeaves}`,
    `num_cat=${numCat}`,
    `split_feature=${t.splitFeature.join(" ")}`,
    `split_gain=${t.splitFeature.map(() => "1").join(" ")}`,
    `threshold=${t.threshold.map(formatDouble).join(" ")}`,
    `decision_type=${t.decisionType.join(" ")}`,
    `left_child=${t.leftChild.join(" ")}`,
    `right_child=${t.rightChild.join(" ")}`,
    `leaf_value=${t.leafValue.map(formatDouble).join(" ")}`,
    `leaf_weight=${t.leafValue.map(() => "1").join(" ")}`,
    `leaf_count=${t.leafValue.map(() => "1").join(" ")}`,
    `internal_value=${t.splitFeature.map(() => "0").join(" ")}`,
    `internal_weight=${t.splitFeature.map(() => "0").join(" ")}`,
    `internal_count=${t.splitFeature.map(() => "1").join(" ")}`,
  ];
  if (numCat > 0) lines.push(`cat_boundaries=${t.catBoundaries!.join(" ")}`, `cat_threshold=${t.catThreshold!.join(" ")}`);
  lines.push("is_linear=0", "shrinkage=1");
  return `Tree=${index}\n${lines.join("\n")}\n\n\n`;
}

export function buildModelText(spec: ModelSpec): string {
  const numClass = spec.numClass ?? 1;
  const trees = spec.trees.map(treeText);
  const names = Array.from({ length: spec.numFeatures }, (_, i) => `f${i}`);
  const header = [
    "tree",
    "version=v4",
    `num_class=${numClass}`,
    `num_tree_per_iteration=${numClass}`,
    "label_index=0",
    `max_feature_idx=${spec.numFeatures - 1}`,
    ...(spec.objective ? [`objective=${spec.objective}`] : []),
    ...(spec.averageOutput ? ["average_output"] : []),
    `feature_names=${names.join(" ")}`,
    `feature_infos=${names.map(() => "[-1000:1000]").join(" ")}`,
    ...(spec.treeSizes === false ? [] : [`tree_sizes=${trees.map((t) => t.length).join(" ")}`]),
  ];
  return `${header.join("\n")}\n\n${trees.join("")}end of trees\n\nfeature_importances:\n\nparameters:\n[boosting: gbdt]\nend of parameters\n`;
}

/**
 * One tree of n leaves in a chain on feature 0: value i (an integer 0..n-1) lands in leaf i.
 * Used to put chosen doubles through LightGBM's output transforms.
 */
export function chainTree(leafValues: number[]): TreeSpec {
  const n = leafValues.length;
  const inner = Array.from({ length: n - 1 }, (_, i) => i);
  return {
    splitFeature: inner.map(() => 0),
    threshold: inner.map((i) => i + 0.5),
    decisionType: inner.map(() => 2),
    leftChild: inner.map((i) => ~i),
    rightChild: inner.map((i) => (i === n - 2 ? ~(n - 1) : i + 1)),
    leafValue: leafValues,
  };
}
