// All trees of a model flattened into a few typed arrays, in the form the general evaluator walks. Node and
// leaf indices are global (tree offsets added); child links keep LightGBM's convention: >= 0 is an
// internal node, < 0 is the leaf ~link. LightGBM's per-node missing-value rules are resolved here
// once, into the child that NaN goes to and the child that 0.0 goes to.
import { CATEGORICAL_MASK, DEFAULT_LEFT_MASK, MISSING_NONE, MISSING_ZERO, type ParsedTree } from "./tree-text.ts";

/** Tree kinds: which evaluation loop a tree needs. */
export const KIND_PLAIN = 0; // numerical splits, no zero-as-missing: NaN is the only special value
export const KIND_ZERO = 1; // numerical splits, some treat 0.0 as missing
export const KIND_CATEGORICAL = 2; // has categorical splits
export const KIND_LINEAR_FLAG = 4; // linear model in the leaves (added to one of the above)

export interface CompactForest {
  readonly numTrees: number;
  /** Per tree: where evaluation starts (a node, or ~leaf for a one-leaf tree) and which loop it needs. */
  readonly treeRoot: Int32Array;
  readonly treeKind: Uint8Array;
  /** The internal nodes of tree t are [treeNodeStart[t], treeNodeStart[t + 1]). */
  readonly treeNodeStart: Int32Array;
  /** Per internal node. */
  readonly splitFeature: Int32Array;
  readonly threshold: Float64Array;
  readonly decisionType: Int8Array;
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  /** Where NaN goes (LightGBM: NaN is missing for missing_type NaN and Zero, else it is read as 0.0). */
  readonly nanChild: Int32Array;
  /** Where 0.0 goes (the default side for missing_type Zero, else the comparison 0.0 <= threshold). */
  readonly zeroChild: Int32Array;
  /** Categorical nodes: the bitset is catThreshold[catBegin[c] .. catBegin[c] + catWords[c]) with c = catIndex[node]; -1 if numerical. */
  readonly catIndex: Int32Array;
  readonly catBegin: Int32Array;
  readonly catWords: Int32Array;
  readonly catThreshold: Uint32Array;
  /** Per leaf. */
  readonly leafValue: Float64Array;
  /** Linear trees: leaf constant, and the coefficients of leafFeatures[leafFeatureStart[l] .. leafFeatureStart[l+1]). */
  readonly leafConst: Float64Array;
  readonly leafFeatureStart: Int32Array;
  readonly leafFeatures: Int32Array;
  readonly leafCoeff: Float64Array;
}

export function compactForest(trees: readonly ParsedTree[]): CompactForest {
  let nodes = 0;
  let leaves = 0;
  let cats = 0;
  let catWordsTotal = 0;
  let linearTerms = 0;
  for (const t of trees) {
    nodes += t.numLeaves - 1;
    leaves += t.numLeaves;
    cats += t.numCat;
    catWordsTotal += t.catThreshold.length;
    linearTerms += t.leafFeatures.length;
  }
  const f: CompactForest = {
    numTrees: trees.length,
    treeRoot: new Int32Array(trees.length),
    treeKind: new Uint8Array(trees.length),
    treeNodeStart: new Int32Array(trees.length + 1),
    splitFeature: new Int32Array(nodes),
    threshold: new Float64Array(nodes),
    decisionType: new Int8Array(nodes),
    leftChild: new Int32Array(nodes),
    rightChild: new Int32Array(nodes),
    nanChild: new Int32Array(nodes),
    zeroChild: new Int32Array(nodes),
    catIndex: new Int32Array(nodes),
    catBegin: new Int32Array(cats),
    catWords: new Int32Array(cats),
    catThreshold: new Uint32Array(catWordsTotal),
    leafValue: new Float64Array(leaves),
    leafConst: new Float64Array(leaves),
    leafFeatureStart: new Int32Array(leaves + 1),
    leafFeatures: new Int32Array(linearTerms),
    leafCoeff: new Float64Array(linearTerms),
  };
  let nodeOff = 0;
  let leafOff = 0;
  let catOff = 0;
  let catWordOff = 0;
  let termOff = 0;
  trees.forEach((t, ti) => {
    const n = t.numLeaves - 1;
    const link = (child: number) => (child >= 0 ? nodeOff + child : ~(leafOff + ~child));
    let kind = KIND_PLAIN;
    for (let i = 0; i < n; i++) {
      const g = nodeOff + i;
      const dt = t.decisionType[i]!;
      const thr = t.threshold[i]!;
      const left = link(t.leftChild[i]!);
      const right = link(t.rightChild[i]!);
      f.splitFeature[g] = t.splitFeature[i]!;
      f.threshold[g] = thr;
      f.decisionType[g] = dt;
      f.leftChild[g] = left;
      f.rightChild[g] = right;
      if (dt & CATEGORICAL_MASK) {
        kind = KIND_CATEGORICAL;
        f.catIndex[g] = catOff + thr; // the threshold of a categorical node is its bitset's index
        f.nanChild[g] = right; // unused by the categorical rule (NaN goes right), kept consistent
        f.zeroChild[g] = right;
      } else {
        f.catIndex[g] = -1;
        const missingType = (dt >> 2) & 3;
        const byDefault = dt & DEFAULT_LEFT_MASK ? left : right;
        const zeroByComparison = 0 <= thr ? left : right;
        f.nanChild[g] = missingType === MISSING_NONE ? zeroByComparison : byDefault;
        f.zeroChild[g] = missingType === MISSING_ZERO ? byDefault : zeroByComparison;
        // (missing_type NaN: NaN takes the default side and 0.0 compares normally, as set above.)
        if (missingType === MISSING_ZERO && kind === KIND_PLAIN) kind = KIND_ZERO;
      }
    }
    for (let c = 0; c < t.numCat; c++) {
      f.catBegin[catOff + c] = catWordOff + t.catBoundaries[c]!;
      f.catWords[catOff + c] = t.catBoundaries[c + 1]! - t.catBoundaries[c]!;
    }
    f.catThreshold.set(t.catThreshold, catWordOff);
    f.leafValue.set(t.leafValue, leafOff);
    for (let l = 0; l < t.numLeaves; l++) {
      const g = leafOff + l;
      if (t.isLinear) {
        f.leafConst[g] = t.leafConst[l]!;
        const count = t.leafFeatureStart[l + 1]! - t.leafFeatureStart[l]!;
        f.leafFeatures.set(t.leafFeatures.subarray(t.leafFeatureStart[l]!, t.leafFeatureStart[l + 1]!), termOff);
        f.leafCoeff.set(t.leafCoeff.subarray(t.leafFeatureStart[l]!, t.leafFeatureStart[l + 1]!), termOff);
        termOff += count;
      }
      f.leafFeatureStart[g + 1] = termOff;
    }
    f.treeRoot[ti] = n > 0 ? nodeOff : ~leafOff;
    f.treeKind[ti] = kind + (t.isLinear ? KIND_LINEAR_FLAG : 0);
    nodeOff += n;
    f.treeNodeStart[ti + 1] = nodeOff;
    leafOff += t.numLeaves;
    catOff += t.numCat;
    catWordOff += t.catThreshold.length;
  });
  return f;
}
