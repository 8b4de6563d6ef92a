// One tree of LightGBM model text -> typed arrays, with every check that makes evaluation safe:
// array lengths, feature indices, decision types, categorical bitset bounds, and child links that
// form exactly one binary tree (so evaluation always ends in a leaf).
import { ModelTextError } from "./errors.ts";
import { countTokens, readDoubles, readInts } from "./number-arrays.ts";
import { parseDouble, parseInteger } from "./number-text.ts";

/** Tree::decision_type bits (include/LightGBM/tree.h). */
export const CATEGORICAL_MASK = 1;
export const DEFAULT_LEFT_MASK = 2;
/** MissingType (include/LightGBM/meta.h): bits 2-3 of decision_type. */
export const MISSING_NONE = 0;
export const MISSING_ZERO = 1;
export const MISSING_NAN = 2;

export interface ParsedTree {
  readonly numLeaves: number;
  readonly numCat: number;
  /** Per internal node (numLeaves - 1 of them). */
  readonly splitFeature: Int32Array;
  readonly threshold: Float64Array;
  readonly decisionType: Int8Array;
  /** Child links: >= 0 an internal node, < 0 the leaf ~child. */
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  readonly leafValue: Float64Array;
  /** Categorical splits: threshold[node] indexes catBoundaries; the bitset is catThreshold[b[i] .. b[i+1]). */
  readonly catBoundaries: Int32Array;
  readonly catThreshold: Uint32Array;
  readonly shrinkage: number;
  readonly isLinear: boolean;
  /** Linear trees only: per leaf a constant, and coefficients for leafFeatures[featureStart[l] .. featureStart[l+1]). */
  readonly leafConst: Float64Array;
  readonly leafFeatureStart: Int32Array;
  readonly leafFeatures: Int32Array;
  readonly leafCoeff: Float64Array;
}

export function parseTree(fields: ReadonlyMap<string, string>, index: number, numFeatures: number): ParsedTree {
  const where = `Tree=${index}`;
  const required = (key: string): string => {
    const v = fields.get(key);
    if (v === undefined) throw new ModelTextError("missing-field", where, `no ${key} line`);
    return v;
  };
  const int = (key: string, raw: string): number => {
    const n = parseInteger(raw.trim());
    if (n === undefined) throw new ModelTextError("bad-number", `${where} ${key}`, `${JSON.stringify(raw)} is not an integer`);
    return n;
  };
  const ints = <T extends Int32Array | Int8Array | Uint32Array>(key: string, raw: string, into: T, lo: number, hi: number): T => {
    readInts(raw, into, lo, hi, `${where} ${key}`);
    return into;
  };
  const doubles = (key: string, raw: string, expected: number): Float64Array => {
    const out = new Float64Array(expected);
    readDoubles(raw, out, `${where} ${key}`);
    return out;
  };
  /** Length check of a field prediction does not use, so that damage there is noticed too. */
  const checkOptional = (key: string, expected: number) => {
    const raw = fields.get(key);
    if (raw === undefined) return;
    const count = countTokens(raw);
    if (count !== expected) throw new ModelTextError("length-mismatch", `${where} ${key}`, `${count} values, expected ${expected}`);
  };

  const numLeaves = int("num_leaves", required("num_leaves"));
  if (numLeaves < 1) throw new ModelTextError("inconsistent", `${where} num_leaves`, `num_leaves is ${numLeaves}, must be >= 1`);
  const numCat = int("num_cat", required("num_cat"));
  if (numCat < 0) throw new ModelTextError("inconsistent", `${where} num_cat`, `num_cat is ${numCat}, must be >= 0`);
  const leafValue = doubles("leaf_value", required("leaf_value"), numLeaves);
  const shrinkageRaw = fields.get("shrinkage");
  const shrinkage = shrinkageRaw === undefined ? 1 : parseDouble(shrinkageRaw.trim());
  if (shrinkage === undefined) throw new ModelTextError("bad-number", `${where} shrinkage`, `${JSON.stringify(shrinkageRaw)} is not a number`);
  const isLinearRaw = fields.get("is_linear");
  const isLinearInt = isLinearRaw === undefined ? 0 : int("is_linear", isLinearRaw);
  if (isLinearInt !== 0 && isLinearInt !== 1) throw new ModelTextError("inconsistent", `${where} is_linear`, `is_linear is ${isLinearInt}, expected 0 or 1`);
  const isLinear = isLinearInt === 1;

  const n = numLeaves - 1;
  const hasSplits = numLeaves > 1;
  // LightGBM ignores the split fields of a one-leaf tree (that is not linear); so do we, beyond length checks.
  const splitRaw = (key: string) => (hasSplits ? required(key) : (fields.get(key) ?? ""));
  const maxFeature = numFeatures - 1;
  const splitFeature = ints("split_feature", splitRaw("split_feature"), new Int32Array(n), 0, maxFeature);
  const threshold = doubles("threshold", splitRaw("threshold"), n);
  const decisionRaw = fields.get("decision_type");
  const decisionType = decisionRaw === undefined ? new Int8Array(n) : ints("decision_type", decisionRaw, new Int8Array(n), 0, 15);
  const leftChild = ints("left_child", splitRaw("left_child"), new Int32Array(n), -numLeaves, n - 1);
  const rightChild = ints("right_child", splitRaw("right_child"), new Int32Array(n), -numLeaves, n - 1);
  checkOptional("split_gain", n);
  checkOptional("leaf_weight", numLeaves);
  checkOptional("leaf_count", numLeaves);
  checkOptional("internal_value", n);
  checkOptional("internal_weight", n);
  checkOptional("internal_count", n);

  let catBoundaries: Int32Array = new Int32Array(1);
  let catThreshold: Uint32Array = new Uint32Array(0);
  if (numCat > 0) {
    catBoundaries = ints("cat_boundaries", required("cat_boundaries"), new Int32Array(numCat + 1), 0, 2 ** 31 - 1);
    const total = catBoundaries[numCat]!;
    if (catBoundaries[0] !== 0) throw new ModelTextError("inconsistent", `${where} cat_boundaries`, `starts at ${catBoundaries[0]}, expected 0`);
    for (let i = 0; i < numCat; i++) {
      if (catBoundaries[i + 1]! < catBoundaries[i]!) throw new ModelTextError("inconsistent", `${where} cat_boundaries`, `decreases at ${i + 1}`);
    }
    catThreshold = ints("cat_threshold", required("cat_threshold"), new Uint32Array(total), 0, 2 ** 32 - 1);
  } else {
    for (const key of ["cat_boundaries", "cat_threshold"]) {
      if (fields.has(key)) throw new ModelTextError("inconsistent", `${where} ${key}`, `present but num_cat is 0`);
    }
  }

  for (let node = 0; node < n; node++) {
    const dt = decisionType[node]!;
    const missingType = (dt >> 2) & 3;
    if (missingType === 3)
      throw new ModelTextError("inconsistent", `${where} decision_type`, `node ${node}: missing type 3 does not exist (decision_type ${dt})`);
    if (dt & CATEGORICAL_MASK) {
      if (numCat === 0) throw new ModelTextError("inconsistent", `${where} decision_type`, `node ${node} is a categorical split but num_cat is 0`);
      const t = threshold[node]!;
      if (!Number.isInteger(t) || t < 0 || t >= numCat) {
        throw new ModelTextError(
          "inconsistent",
          `${where} threshold`,
          `categorical node ${node} has threshold ${t}, expected a bitset index in [0, ${numCat})`,
        );
      }
    } else if (Number.isNaN(threshold[node]!)) {
      throw new ModelTextError("bad-number", `${where} threshold`, `numerical node ${node} has threshold NaN`);
    }
  }
  if (hasSplits) checkTreeShape(leftChild, rightChild, numLeaves, where);

  let leafConst: Float64Array = new Float64Array(0);
  let leafFeatureStart: Int32Array = new Int32Array(0);
  let leafFeatures: Int32Array = new Int32Array(0);
  let leafCoeff: Float64Array = new Float64Array(0);
  if (isLinear) {
    leafConst = doubles("leaf_const", required("leaf_const"), numLeaves);
    const counts = ints("num_features", required("num_features"), new Int32Array(numLeaves), 0, numFeatures);
    leafFeatureStart = new Int32Array(numLeaves + 1);
    for (let l = 0; l < numLeaves; l++) leafFeatureStart[l + 1] = leafFeatureStart[l]! + counts[l]!;
    const total = leafFeatureStart[numLeaves]!;
    leafFeatures = ints("leaf_features", required("leaf_features"), new Int32Array(total), 0, maxFeature);
    leafCoeff = doubles("leaf_coeff", required("leaf_coeff"), total);
  } else {
    for (const key of ["leaf_const", "num_features", "leaf_features", "leaf_coeff"]) {
      if (fields.has(key)) throw new ModelTextError("inconsistent", `${where} ${key}`, `present but is_linear is 0`);
    }
  }
  return {
    numLeaves,
    numCat,
    splitFeature,
    threshold,
    decisionType,
    leftChild,
    rightChild,
    leafValue,
    catBoundaries,
    catThreshold,
    shrinkage,
    isLinear,
    leafConst,
    leafFeatureStart,
    leafFeatures,
    leafCoeff,
  };
}

/** Every internal node but the root and every leaf must be reached from the root exactly once. */
function checkTreeShape(left: Int32Array, right: Int32Array, numLeaves: number, where: string): void {
  const n = numLeaves - 1;
  const seenNode = new Uint8Array(n);
  const seenLeaf = new Uint8Array(numLeaves);
  const stack = [0];
  seenNode[0] = 1;
  let nodes = 1;
  let leaves = 0;
  while (stack.length) {
    const node = stack.pop()!;
    for (const child of [left[node]!, right[node]!]) {
      if (child >= 0) {
        if (seenNode[child]) throw new ModelTextError("structure", where, `internal node ${child} is reached twice (or is the root)`);
        seenNode[child] = 1;
        nodes++;
        stack.push(child);
      } else {
        const leaf = ~child;
        if (seenLeaf[leaf]) throw new ModelTextError("structure", where, `leaf ${leaf} is reached twice`);
        seenLeaf[leaf] = 1;
        leaves++;
      }
    }
  }
  if (nodes !== n || leaves !== numLeaves) {
    throw new ModelTextError("structure", where, `only ${nodes} of ${n} internal nodes and ${leaves} of ${numLeaves} leaves are reachable from the root`);
  }
}
