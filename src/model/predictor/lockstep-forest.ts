// A second, faster layout of the numerical trees, for evaluating several trees in lockstep without
// branches. Every node becomes one uniform test "input[in] > threshold ? second child : first child",
// with the two children of a node stored next to each other (so the next record is
// firstChild + (test ? 1 : 0)) and leaves looping to themselves (threshold +Infinity), so a group of
// trees can be walked a fixed number of levels. LightGBM's missing-value rules are folded in:
//  - the input row is doubled, [x, -x] (NaN stays NaN), after LightGBM's kZeroThreshold rounding;
//  - a node whose NaN (after missing-type handling) goes left keeps x, its threshold and [L, R]:
//    NaN > t is false, so NaN takes the first child, L; other values go right iff v > t, as in LightGBM;
//  - a node whose NaN goes right reads -x with threshold -nextUp(t) and children [R, L]:
//    -v > -nextUp(t) iff v < nextUp(t) iff v <= t (left), and NaN takes the first child, R;
//  - zero-as-missing: when every numerical node on a feature has missing type Zero, 0.0 is replaced by
//    NaN in that feature's inputs (Zero nodes send 0.0 and NaN to the same, default, side).
// Trees this cannot express (categorical splits, linear leaves, a Zero node on a feature that other
// nodes split normally, a NaN-goes-right node at threshold +Infinity) keep the general evaluator.
import type { CompactForest } from "./compact-forest.ts";
import { KIND_CATEGORICAL, KIND_LINEAR_FLAG } from "./compact-forest.ts";
import { MISSING_ZERO } from "./tree-text.ts";

/** Bits of a packed record for the input index: packed = (firstChild << INPUT_BITS) | input. */
export const INPUT_BITS = 10;
export const INPUT_MASK = (1 << INPUT_BITS) - 1;

export interface LockstepForest {
  /** Inputs per row: the row, then the row negated. Records start right after them in `data`. */
  readonly numInputs: number;
  /** Per feature: 1 when 0.0 is to be read as NaN (see above). */
  readonly zeroAsNaN: Uint8Array;
  /**
   * data[0 .. numInputs) holds the current row's inputs; data[r] for r >= numInputs is record r's
   * threshold. (One array for both keeps the hot loop to two typed arrays.)
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

export function lockstepForest(f: CompactForest, numFeatures: number): LockstepForest {
  const numTrees = f.numTrees;
  const numInputs = 2 * numFeatures;

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

  /** The internal nodes of tree t, or undefined when it needs the general evaluator. */
  const eligibleNodes = (t: number): number[] | undefined => {
    if (f.treeKind[t]! & (KIND_CATEGORICAL | KIND_LINEAR_FLAG)) return undefined;
    const nodes: number[] = [];
    const stack = f.treeRoot[t]! >= 0 ? [f.treeRoot[t]!] : [];
    while (stack.length) {
      const n = stack.pop()!;
      nodes.push(n);
      const missingType = (f.decisionType[n]! >> 2) & 3;
      if (missingType === MISSING_ZERO && !zeroAsNaN[f.splitFeature[n]!]) return undefined;
      if (f.nanChild[n] === f.rightChild[n] && f.threshold[n] === Infinity) return undefined;
      for (const c of [f.leftChild[n]!, f.rightChild[n]!]) if (c >= 0) stack.push(c);
    }
    return nodes;
  };

  const treeNodes = Array.from({ length: numTrees }, (_, t) => eligibleNodes(t));
  let records = numInputs;
  for (const nodes of treeNodes) if (nodes) records += 2 * nodes.length + 1;
  if (numInputs > INPUT_MASK + 1 || records >= 2 ** (31 - INPUT_BITS)) {
    // Too many features or nodes to pack record and input indices into an int32: all trees stay
    // on the general evaluator.
    treeNodes.fill(undefined);
    records = numInputs;
  }

  const data = new Float64Array(records);
  const threshold = data;
  const packed = new Int32Array(records);
  const leafValue = new Float64Array(records);
  const treeRoot = new Int32Array(numTrees).fill(-1);
  const treeDepth = new Int32Array(numTrees);
  let next = numInputs;
  let numLockstepTrees = 0;
  treeNodes.forEach((nodes, t) => {
    if (!nodes) return;
    numLockstepTrees++;
    // Breadth first, so the two children of a record are adjacent: [first, second].
    const root = next++;
    treeRoot[t] = root;
    const queue: { link: number; record: number; depth: number }[] = [{ link: f.treeRoot[t]!, record: root, depth: 0 }];
    let maxDepth = 0;
    for (let q = 0; q < queue.length; q++) {
      const { link, record, depth } = queue[q]!;
      maxDepth = Math.max(maxDepth, depth);
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
      if (f.nanChild[link] === right) {
        threshold[record] = -nextUp(f.threshold[link]!);
        packed[record] = (first << INPUT_BITS) | (numFeatures + feat);
        queue.push({ link: right, record: first, depth: depth + 1 }, { link: left, record: first + 1, depth: depth + 1 });
      } else {
        threshold[record] = f.threshold[link]!;
        packed[record] = (first << INPUT_BITS) | feat;
        queue.push({ link: left, record: first, depth: depth + 1 }, { link: right, record: first + 1, depth: depth + 1 });
      }
    }
    treeDepth[t] = maxDepth;
  });
  const lockstepTrees: number[] = [];
  for (let t = 0; t < numTrees; t++) if (treeRoot[t]! >= 0) lockstepTrees.push(t);
  lockstepTrees.sort((a, b) => treeDepth[a]! - treeDepth[b]! || a - b);
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
