// A second, faster layout of the numerical trees, for evaluating several trees in lockstep without
// branches. Every node becomes one uniform test "input[in] > threshold ? second child : first child",
// with the two children of a node stored next to each other (so the next record is
// firstChild + (test ? 1 : 0)) and leaves looping to themselves (threshold +Infinity), so a group of
// trees can be walked a fixed number of levels. LightGBM's missing-value rules are folded in:
//  - the inputs of a row are [x, -x, isNaN(x) ? 1 : 0] (NaN stays NaN in -x), after LightGBM's
//    kZeroThreshold rounding;
//  - a node whose NaN (after missing-type handling) goes left keeps x, its threshold and [L, R]:
//    NaN > t is false, so NaN takes the first child, L; other values go right iff v > t, as in LightGBM;
//  - a node whose NaN goes right reads -x with threshold -nextUp(t) and children [R, L]:
//    -v > -nextUp(t) iff v < nextUp(t) iff v <= t (left), and NaN takes the first child, R;
//  - except at threshold +Infinity ("is it missing?" splits: every number goes left, NaN right),
//    which reads the NaN indicator with threshold 0.5 and children [L, R];
//  - zero-as-missing: when every numerical node on a feature has missing type Zero, 0.0 is replaced by
//    NaN in that feature's inputs (Zero nodes send 0.0 and NaN to the same, default, side).
// Trees this cannot express (categorical splits, linear leaves, a Zero node on a feature that other
// nodes split normally) keep the general evaluator.
import type { CompactForest } from "./compact-forest.ts";
import { KIND_CATEGORICAL, KIND_LINEAR_FLAG } from "./compact-forest.ts";
import { MISSING_ZERO } from "./tree-text.ts";

/** Bits of a packed record for the input index: packed = (firstChild << INPUT_BITS) | input. */
export const INPUT_BITS = 10;
export const INPUT_MASK = (1 << INPUT_BITS) - 1;

export interface LockstepForest {
  /** Inputs per row: the row, the row negated, the row's NaN indicators. Records start right after them in `data`. */
  readonly numInputs: number;
  /** Per feature: 1 when 0.0 is to be read as NaN (see above). */
  readonly zeroAsNaN: Uint8Array;
  /**
   * data[0 .. numInputs) holds the current row's inputs; data[r] for r >= numInputs is record r's
   * threshold. (One array for both keeps the hot loop to two arrays.)
   */
  readonly data: Float64Array;
  /** Per record r (same index as data): (firstChild << INPUT_BITS) | input. */
  readonly packed: Int32Array;
  /** Per record: the leaf value (leaves only). */
  readonly leafValue: Float64Array;
  /** Per tree: its root record, or -1 when the tree needs the general evaluator. */
  readonly treeRoot: Int32Array;
  /** Per tree: levels from the root to its deepest leaf. */
  readonly treeDepth: Int32Array;
  /** The lockstep trees, shallowest first (ties in tree order): groups of similar depth waste fewer levels. */
  readonly byDepth: Int32Array;
  /** How many trees use the lockstep layout. */
  readonly numLockstepTrees: number;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The smallest double greater than t (t finite, or -Infinity). */
export function nextUp(t: number): number {
  if (t === 0) return Number.MIN_VALUE;
  f64[0] = t;
  u64[0] = t > 0 ? u64[0]! + 1n : u64[0]! - 1n;
  return f64[0]!;
}

/** The lockstep layout of the trees it can express; with enabled = false, of none (all general). */
export function lockstepForest(f: CompactForest, numFeatures: number, enabled = true): LockstepForest {
  const numTrees = f.numTrees;
  const numInputs = 3 * numFeatures;

  // Features whose every numerical node treats zero as missing.
  const zeroNodes = new Int32Array(numFeatures);
  const numericalNodes = new Int32Array(numFeatures);
  for (let n = 0; n < f.splitFeature.length; n++) {
    if (f.catIndex[n]! >= 0) continue;
    const feat = f.splitFeature[n]!;
    numericalNodes[feat]!++;
    if (((f.decisionType[n]! >> 2) & 3) === MISSING_ZERO) zeroNodes[feat]!++;
  }
  const zeroAsNaN = new Uint8Array(numFeatures);
  for (let j = 0; j < numFeatures; j++) zeroAsNaN[j] = zeroNodes[j]! > 0 && zeroNodes[j] === numericalNodes[j] ? 1 : 0;

  /** Whether tree t can be walked in lockstep (its nodes are [treeNodeStart[t], treeNodeStart[t+1])). */
  const eligible = (t: number): boolean => {
    if (!enabled || f.treeKind[t]! & (KIND_CATEGORICAL | KIND_LINEAR_FLAG)) return false;
    for (let n = f.treeNodeStart[t]!; n < f.treeNodeStart[t + 1]!; n++) {
      if (((f.decisionType[n]! >> 2) & 3) === MISSING_ZERO && !zeroAsNaN[f.splitFeature[n]!]) return false;
    }
    return true;
  };
  const isLockstep = new Uint8Array(numTrees);
  let records = numInputs;
  for (let t = 0; t < numTrees; t++) {
    if (!eligible(t)) continue;
    isLockstep[t] = 1;
    records += 2 * (f.treeNodeStart[t + 1]! - f.treeNodeStart[t]!) + 1;
  }
  if (numInputs > INPUT_MASK + 1 || records >= 2 ** (30 - INPUT_BITS)) {
    // Too many features (over 341) or records (over 2^20) to pack record and input indices into a
    // small integer (< 2^30, a Smi even with pointer compression): all trees stay on the general evaluator.
    isLockstep.fill(0);
    records = numInputs;
  }

  const data = new Float64Array(records);
  const threshold = data;
  const packed = new Int32Array(records);
  const leafValue = new Float64Array(records);
  const treeRoot = new Int32Array(numTrees).fill(-1);
  const treeDepth = new Int32Array(numTrees);
  // Depth of each lockstep tree, and the walk order: shallowest first (ties in tree order), so that
  // groups of similar depth waste few levels on leaves that loop to themselves.
  const nodeDepth = new Int32Array(f.splitFeature.length);
  const stack = new Int32Array(f.splitFeature.length);
  const lockstepTrees: number[] = [];
  for (let t = 0; t < numTrees; t++) {
    if (!isLockstep[t]) continue;
    lockstepTrees.push(t);
    const root = f.treeRoot[t]!;
    if (root < 0) continue; // one leaf: depth 0
    let deepest = 0;
    let top = 0;
    stack[top++] = root;
    nodeDepth[root] = 0;
    while (top > 0) {
      const n = stack[--top]!;
      const d = nodeDepth[n]! + 1;
      if (d > deepest) deepest = d;
      const l = f.leftChild[n]!;
      const r = f.rightChild[n]!;
      if (l >= 0) {
        nodeDepth[l] = d;
        stack[top++] = l;
      }
      if (r >= 0) {
        nodeDepth[r] = d;
        stack[top++] = r;
      }
    }
    treeDepth[t] = deepest;
  }
  lockstepTrees.sort((a, b) => treeDepth[a]! - treeDepth[b]! || a - b);
  const numLockstepTrees = lockstepTrees.length;

  // Records level by level across all trees, in walk order: the roots, then every root's two
  // children, then theirs, ... A node's children are adjacent ([first, second]); the top levels
  // of all trees, which every row visits, share a compact, cache-friendly region, and the six
  // trees walked together read neighbouring records at each level.
  let next = numInputs;
  // The queue holds (link, record) pairs; it never holds more than one entry per record.
  const queueLink = new Int32Array(records);
  const queueRecord = new Int32Array(records);
  let tail = 0;
  for (const t of lockstepTrees) {
    treeRoot[t] = next;
    queueLink[tail] = f.treeRoot[t]!;
    queueRecord[tail++] = next++;
  }
  for (let q = 0; q < tail; q++) {
    const link = queueLink[q]!;
    const record = queueRecord[q]!;
    if (link < 0) {
      threshold[record] = Infinity; // input > +Infinity is never true: a leaf stays where it is
      packed[record] = record << INPUT_BITS; // input 0, first child = itself
      leafValue[record] = f.leafValue[~link]!;
      continue;
    }
    const first = next;
    next += 2;
    const feat = f.splitFeature[link]!;
    const left = f.leftChild[link]!;
    const right = f.rightChild[link]!;
    let input: number;
    let firstLink = left;
    let secondLink = right;
    if (f.nanChild[link] === right && f.threshold[link] === Infinity) {
      threshold[record] = 0.5;
      input = 2 * numFeatures + feat;
    } else if (f.nanChild[link] === right) {
      threshold[record] = -nextUp(f.threshold[link]!);
      input = numFeatures + feat;
      firstLink = right;
      secondLink = left;
    } else {
      threshold[record] = f.threshold[link]!;
      input = feat;
    }
    packed[record] = (first << INPUT_BITS) | input;
    queueLink[tail] = firstLink;
    queueRecord[tail++] = first;
    queueLink[tail] = secondLink;
    queueRecord[tail++] = first + 1;
  }
  return {
    numInputs,
    zeroAsNaN,
    data,
    packed,
    leafValue,
    treeRoot,
    treeDepth,
    byDepth: Int32Array.from(lockstepTrees),
    numLockstepTrees,
  };
}
