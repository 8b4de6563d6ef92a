// Evaluates a parsed LightGBM model in plain TypeScript, with LightGBM's exact semantics
// (include/LightGBM/tree.h, src/boosting/gbdt_prediction.cpp, src/c_api.cpp):
//  - a feature value v with |v| <= kZeroThreshold (1e-35f) is read as 0.0 (the C API drops such
//    values from a dense row; the prediction buffer holds 0.0 there);
//  - numerical split: NaN is read as 0.0 unless the node's missing type is NaN; for missing type
//    Zero, 0.0 (and so NaN) goes to the default side; for missing type NaN, NaN goes to the default
//    side; otherwise v <= threshold goes left;
//  - categorical split: NaN and negative codes go right; otherwise the code truncated toward zero
//    goes left iff its bit is set in the node's bitset (codes past the bitset go right);
//  - linear trees: leaf constant + sum of coefficient * feature in order, or the plain leaf value
//    when one of those features is NaN;
//  - the outputs of the trees of each class are added in tree order into a double starting at 0.0,
//    divided by the number of iterations for average_output (rf), then transformed by the objective
//    (raw scores are the plain sums, neither averaged nor transformed, as GBDT::PredictRaw gives them).
// Numerical trees are walked several at a time without branches (lockstep-forest.ts explains the
// layout); the others (categorical, linear, mixed zero-as-missing) by the general loop below. Each
// tree's output is then added in tree order, so the sums are LightGBM's to the last bit.
import type { CompactForest } from "./compact-forest.ts";
import { KIND_LINEAR_FLAG } from "./compact-forest.ts";
import { PredictorUsageError } from "./errors.ts";
import type { FeatureInfo } from "./feature-info.ts";
import { INPUT_BITS, INPUT_MASK, type LockstepForest, lockstepForest } from "./lockstep-forest.ts";
import { convertOutput, type ObjectiveInfo, type OutputTransform } from "./objective.ts";

// The hot loops write these constants out (the JIT does not fold imported or computed constants).
if (INPUT_BITS !== 10 || INPUT_MASK !== 1023) throw new Error("model.ts hard-codes INPUT_BITS = 10 in its hot loop; update it");
if (Math.fround(1e-35) !== 1.0000000180025095e-35) throw new Error("model.ts hard-codes kZeroThreshold; update it");

/** LightGBM's kZeroThreshold: the float 1e-35f widened to double. */
export const K_ZERO_THRESHOLD = Math.fround(1e-35);

export interface ModelInfo {
  readonly version: string;
  readonly objective: ObjectiveInfo;
  readonly numClass: number;
  /** Trees per boosting iteration = values per prediction (classes for multiclass). */
  readonly numTreePerIteration: number;
  readonly numTrees: number;
  readonly numIterations: number;
  readonly labelIndex: number;
  /** rf: predictions are the average of the trees, not their sum. */
  readonly averageOutput: boolean;
  readonly featureNames: readonly string[];
  readonly featureInfos: readonly FeatureInfo[];
  readonly monotoneConstraints: readonly number[] | undefined;
  readonly hasCategoricalSplits: boolean;
  readonly hasLinearTrees: boolean;
  readonly numNodes: number;
  readonly numLeaves: number;
  /** The model's "parameters:" section (training parameters as LightGBM recorded them). */
  readonly parameters: Readonly<Record<string, string>>;
  /** Python's pandas_categorical line (JSON), when the model came from a pandas DataFrame. */
  readonly pandasCategorical: string | undefined;
}

/** Which trees to use and whether to transform, with the meaning of LightGBM's predict arguments. */
export interface PredictOptions {
  /** First iteration to use (default 0). */
  startIteration?: number;
  /** Number of iterations to use from startIteration; <= 0 or absent: all the rest. */
  numIteration?: number;
  /** Raw scores, as LightGBM's raw_score / C_API_PREDICT_RAW_SCORE: the plain sums, not averaged (rf) nor transformed. */
  rawScore?: boolean;
}

export interface ModelOptions {
  /**
   * Walk numerical trees with the branch-free lockstep evaluator (default true). false evaluates
   * every tree with the general loop: the same results, slower; for cross-checking the two.
   */
  lockstep?: boolean;
}

/** A feature matrix or row: plain numbers or a typed array; NaN means missing. */
export type Numbers = ArrayLike<number>;

export class Model {
  readonly info: ModelInfo;
  readonly featureNames: readonly string[];
  readonly numFeatures: number;
  /** Values per prediction: 1, or the number of classes for multiclass models. */
  readonly numOutputs: number;
  /** The flattened trees, for inspection. */
  readonly forest: CompactForest;
  /** The branch-free layout of the numerical trees, for inspection. */
  readonly lockstep: LockstepForest;

  // Hot-loop state, copied out of `forest` so that every access is a plain typed-array field.
  readonly #treeRoot: Int32Array;
  readonly #treeKind: Uint8Array;
  readonly #feat: Int32Array;
  readonly #thr: Float64Array;
  readonly #left: Int32Array;
  readonly #right: Int32Array;
  readonly #nanChild: Int32Array;
  readonly #zeroChild: Int32Array;
  readonly #catIndex: Int32Array;
  readonly #catBegin: Int32Array;
  readonly #catWords: Int32Array;
  readonly #catThreshold: Uint32Array;
  readonly #leafValue: Float64Array;
  readonly #leafConst: Float64Array;
  readonly #leafFeatureStart: Int32Array;
  readonly #leafFeatures: Int32Array;
  readonly #leafCoeff: Float64Array;
  readonly #transform: OutputTransform;
  readonly #sigmoid: number;
  readonly #averageOutput: boolean;
  /** The row being predicted, after LightGBM's kZeroThreshold rounding. */
  readonly #x: Float64Array;
  /** Per-class accumulators for one row. */
  readonly #acc: Float64Array;
  readonly #numIterations: number;
  // Lockstep layout (see lockstep-forest.ts), as plain packed JavaScript arrays: V8 reads those
  // faster than typed arrays in this loop (a typed-array access also checks its buffer for
  // detachment; measured ~30% slower end to end). Ints stay below 2^30, so they are Smis everywhere.
  /** The row as the lockstep trees read it, [x, -x, isNaN(x)], then the lockstep thresholds. */
  readonly #lsData: number[];
  readonly #lsPacked: number[];
  readonly #lsLeafValue: number[];
  readonly #lsRoot: number[];
  readonly #lsDepth: number[];
  readonly #lsByDepth: number[];
  readonly #zeroAsNaN: Uint8Array;
  /** Per tree: the leaf record the lockstep walk ended in. */
  readonly #leafRecord: number[];
  /** Scratch: the lockstep trees of a partial iteration range. */
  readonly #rangeOrder: number[];
  readonly #allLockstep: boolean;
  /** The current prediction's tree range and iteration count (see #range). */
  #t0 = 0;
  #t1 = 0;
  #iterations = 0;

  /** @internal use parseModel */
  constructor(info: ModelInfo, forest: CompactForest, options: ModelOptions = {}) {
    this.info = info;
    this.featureNames = info.featureNames;
    this.numFeatures = info.featureNames.length;
    this.numOutputs = info.numTreePerIteration;
    this.forest = forest;
    this.#treeRoot = forest.treeRoot;
    this.#treeKind = forest.treeKind;
    this.#feat = forest.splitFeature;
    this.#thr = forest.threshold;
    this.#left = forest.leftChild;
    this.#right = forest.rightChild;
    this.#nanChild = forest.nanChild;
    this.#zeroChild = forest.zeroChild;
    this.#catIndex = forest.catIndex;
    this.#catBegin = forest.catBegin;
    this.#catWords = forest.catWords;
    this.#catThreshold = forest.catThreshold;
    this.#leafValue = forest.leafValue;
    this.#leafConst = forest.leafConst;
    this.#leafFeatureStart = forest.leafFeatureStart;
    this.#leafFeatures = forest.leafFeatures;
    this.#leafCoeff = forest.leafCoeff;
    this.#transform = info.objective.transform;
    this.#sigmoid = info.objective.sigmoid ?? 1;
    this.#averageOutput = info.averageOutput;
    this.#x = new Float64Array(this.numFeatures);
    this.#acc = new Float64Array(this.numOutputs);
    this.#numIterations = info.numIterations;
    const ls = lockstepForest(forest, this.numFeatures, options.lockstep ?? true);
    this.lockstep = ls;
    this.#lsData = doubles(ls.data); // its head is per-row scratch: each model has its own copy
    this.#lsPacked = smis(ls.packed);
    this.#lsLeafValue = doubles(ls.leafValue);
    this.#lsRoot = smis(ls.treeRoot);
    this.#lsDepth = smis(ls.treeDepth);
    this.#lsByDepth = smis(ls.byDepth);
    this.#zeroAsNaN = ls.zeroAsNaN;
    this.#leafRecord = smis(new Int32Array(forest.numTrees));
    this.#rangeOrder = smis(ls.byDepth);
    this.#allLockstep = ls.numLockstepTrees === forest.numTrees;
  }

  /** The prediction for one row (a single-output model; see predictInto for multiclass). */
  predict(row: Numbers, options?: PredictOptions): number {
    if (this.numOutputs !== 1) {
      throw new PredictorUsageError(`this model gives ${this.numOutputs} values per row (${this.info.objective.name}); use predictInto or predictBatch`);
    }
    this.#checkRow(row);
    this.#load(row, 0);
    const acc = this.#acc;
    this.#range(options);
    acc[0] = this.#sum1(this.#t0, this.#t1);
    this.#finish(acc, 0, this.#iterations, options?.rawScore === true);
    return acc[0]!;
  }

  /** Writes the numOutputs values for one row to out[offset ..]. */
  predictInto(row: Numbers, out: Float64Array, offset = 0, options?: PredictOptions): void {
    this.#checkRow(row);
    if (!Number.isInteger(offset) || offset < 0 || offset + this.numOutputs > out.length) {
      throw new PredictorUsageError(`out has ${out.length} values; cannot write ${this.numOutputs} at offset ${offset}`);
    }
    this.#range(options);
    this.#load(row, 0);
    this.#sumInto(this.#t0, this.#t1, out, offset);
    this.#finish(out, offset, this.#iterations, options?.rawScore === true);
  }

  /**
   * Predictions for numRows rows of a row-major numRows x numFeatures matrix: numRows x numOutputs
   * values, row-major (as LightGBM's predict returns them).
   */
  predictBatch(matrix: Numbers, numRows: number, options?: PredictOptions): Float64Array {
    const nf = this.numFeatures;
    if (!Number.isInteger(numRows) || numRows < 0) throw new PredictorUsageError(`numRows must be a non-negative integer, got ${numRows}`);
    if (matrix.length !== numRows * nf) {
      throw new PredictorUsageError(`the matrix has ${matrix.length} values, expected numRows x numFeatures = ${numRows} x ${nf} = ${numRows * nf}`);
    }
    this.#range(options);
    const t0 = this.#t0;
    const t1 = this.#t1;
    const iters = this.#iterations;
    const raw = options?.rawScore === true;
    const k = this.numOutputs;
    const out = new Float64Array(numRows * k);
    for (let r = 0; r < numRows; r++) {
      this.#load(matrix, r * nf);
      if (k === 1) out[r] = this.#sum1(t0, t1);
      else this.#sumInto(t0, t1, out, r * k);
      this.#finish(out, r * k, iters, raw);
    }
    return out;
  }

  #checkRow(row: Numbers): void {
    if (row.length !== this.numFeatures) {
      throw new PredictorUsageError(
        `the row has ${row.length} values, the model has ${this.numFeatures} features (${this.featureNames.slice(0, 5).join(", ")}${this.numFeatures > 5 ? ", ..." : ""})`,
      );
    }
  }

  /**
   * LightGBM's GBDT::InitPredict: sets the tree range [#t0, #t1) and the number of iterations used
   * (fields rather than a returned tuple, so that a prediction allocates nothing but its result).
   */
  #range(options: PredictOptions | undefined): void {
    if (options === undefined || (options.startIteration === undefined && options.numIteration === undefined)) {
      this.#t0 = 0;
      this.#t1 = this.#treeRoot.length;
      this.#iterations = this.#numIterations;
      return;
    }
    const start = options.startIteration ?? 0;
    const num = options.numIteration ?? 0;
    if (!Number.isInteger(start)) throw new PredictorUsageError(`startIteration must be an integer, got ${start}`);
    if (!Number.isInteger(num)) throw new PredictorUsageError(`numIteration must be an integer, got ${num}`);
    const total = this.#numIterations;
    const s = Math.min(Math.max(start, 0), total);
    const n = num > 0 ? Math.min(num, total - s) : total - s;
    const k = this.numOutputs;
    this.#t0 = s * k;
    this.#t1 = (s + n) * k;
    this.#iterations = n;
  }

  /**
   * Copies a row into the evaluation buffers: values within kZeroThreshold of 0 become 0.0, as in
   * LightGBM; the lockstep inputs also get the row negated and NaN indicators, and NaN for 0.0 on
   * zero-as-missing features.
   */
  #load(src: Numbers, base: number): void {
    const x = this.#x;
    const y = this.#lsData;
    const zeroAsNaN = this.#zeroAsNaN;
    const nf = x.length;
    for (let j = 0; j < nf; j++) {
      let v = src[base + j]!;
      // 1.0000000180025095e-35 = K_ZERO_THRESHOLD, written out so the JIT sees a constant.
      if (v <= 1.0000000180025095e-35 && v >= -1.0000000180025095e-35) {
        v = 0;
        x[j] = 0;
        if (zeroAsNaN[j] === 1) v = NaN;
      } else {
        x[j] = v;
      }
      y[j] = v;
      y[nf + j] = -v;
      y[2 * nf + j] = v !== v ? 1 : 0;
    }
  }

  /** Walks the lockstep trees of [t0, t1), shallowest first (all of them, or those in the range). */
  #walkRange(t0: number, t1: number): void {
    const all = this.#lsByDepth;
    if (t0 === 0 && t1 === this.#treeRoot.length) {
      this.#walkLockstep(all, all.length);
      return;
    }
    const order = this.#rangeOrder;
    let n = 0;
    for (let i = 0; i < all.length; i++) {
      const t = all[i]!;
      if (t >= t0 && t < t1) order[n++] = t;
    }
    this.#walkLockstep(order, n);
  }

  /**
   * Walks the lockstep trees order[0 .. count) for the loaded row, six at a time, and records each
   * one's leaf in #leafRecord. Branch-free: record = firstChild + (input > threshold ? 1 : 0).
   */
  #walkLockstep(order: number[], count: number): void {
    // Two typed arrays in the inner loop (inputs and thresholds share `data`) and literal shifts
    // (10 = INPUT_BITS, 1023 = INPUT_MASK: imported constants are not folded by the JIT) keep the
    // six walks in registers.
    const data = this.#lsData;
    const pk = this.#lsPacked;
    const root = this.#lsRoot;
    const depth = this.#lsDepth;
    const out = this.#leafRecord;
    let g = 0;
    for (; g + 6 <= count; g += 6) {
      const t0 = order[g]!;
      const t1 = order[g + 1]!;
      const t2 = order[g + 2]!;
      const t3 = order[g + 3]!;
      const t4 = order[g + 4]!;
      const t5 = order[g + 5]!;
      let r0 = root[t0]!;
      let r1 = root[t1]!;
      let r2 = root[t2]!;
      let r3 = root[t3]!;
      let r4 = root[t4]!;
      let r5 = root[t5]!;
      const levels = depth[t5]!; // order is shallowest first: the last of the six is the deepest
      for (let d = 0; d < levels; d++) {
        const p0 = pk[r0]!;
        const p1 = pk[r1]!;
        const p2 = pk[r2]!;
        const p3 = pk[r3]!;
        const p4 = pk[r4]!;
        const p5 = pk[r5]!;
        // (a > b) is 0 or 1 here; the casts only tell TypeScript so (they are erased).
        r0 = (p0 >> 10) + ((data[p0 & 1023]! > data[r0]!) as unknown as number);
        r1 = (p1 >> 10) + ((data[p1 & 1023]! > data[r1]!) as unknown as number);
        r2 = (p2 >> 10) + ((data[p2 & 1023]! > data[r2]!) as unknown as number);
        r3 = (p3 >> 10) + ((data[p3 & 1023]! > data[r3]!) as unknown as number);
        r4 = (p4 >> 10) + ((data[p4 & 1023]! > data[r4]!) as unknown as number);
        r5 = (p5 >> 10) + ((data[p5 & 1023]! > data[r5]!) as unknown as number);
      }
      out[t0] = r0;
      out[t1] = r1;
      out[t2] = r2;
      out[t3] = r3;
      out[t4] = r4;
      out[t5] = r5;
    }
    for (; g < count; g++) {
      const t = order[g]!;
      let r = root[t]!;
      for (let d = depth[t]!; d > 0; d--) {
        const p = pk[r]!;
        r = (p >> 10) + ((data[p & 1023]! > data[r]!) as unknown as number);
      }
      out[t] = r;
    }
  }

  /** GBDT::Predict after the sum: average (rf) and transform. Raw scores (GBDT::PredictRaw) get neither. */
  #finish(out: Float64Array, offset: number, iterations: number, raw: boolean): void {
    if (raw) return;
    const k = this.numOutputs;
    if (this.#averageOutput) for (let i = 0; i < k; i++) out[offset + i] = out[offset + i]! / iterations;
    convertOutput(this.#transform, this.#sigmoid, out, offset, k);
  }

  /** Sum of trees [t0, t1) for a single-output model, in tree order. */
  #sum1(t0: number, t1: number): number {
    this.#walkRange(t0, t1);
    const lsRoot = this.#lsRoot;
    const leafRecord = this.#leafRecord;
    const lsLeafValue = this.#lsLeafValue;
    let sum = 0.0;
    if (this.#allLockstep) {
      for (let t = t0; t < t1; t++) sum += lsLeafValue[leafRecord[t]!]!;
      return sum;
    }
    for (let t = t0; t < t1; t++) {
      sum += lsRoot[t]! >= 0 ? lsLeafValue[leafRecord[t]!]! : this.#treeOutput(this.#treeKind[t]!, this.#treeRoot[t]!);
    }
    return sum;
  }

  /** Sums trees [t0, t1) into out[offset + (tree % numOutputs)], in tree order. */
  #sumInto(t0: number, t1: number, out: Float64Array, offset: number): void {
    this.#walkRange(t0, t1);
    const k = this.numOutputs;
    const lsRoot = this.#lsRoot;
    const leafRecord = this.#leafRecord;
    const lsLeafValue = this.#lsLeafValue;
    for (let i = 0; i < k; i++) out[offset + i] = 0.0;
    let cls = 0;
    for (let t = t0; t < t1; t++) {
      const value = lsRoot[t]! >= 0 ? lsLeafValue[leafRecord[t]!]! : this.#treeOutput(this.#treeKind[t]!, this.#treeRoot[t]!);
      out[offset + cls] = out[offset + cls]! + value;
      if (++cls === k) cls = 0;
    }
  }

  /** One tree's output by the general loop (any tree; used for those the lockstep layout cannot express). */
  #treeOutput(kind: number, root: number): number {
    const x = this.#x;
    const feat = this.#feat;
    const thr = this.#thr;
    const left = this.#left;
    const right = this.#right;
    const nanChild = this.#nanChild;
    const zeroChild = this.#zeroChild;
    const catIndex = this.#catIndex;
    let node = root;
    while (node >= 0) {
      const v = x[feat[node]!]!;
      const c = catIndex[node]!;
      if (c >= 0) {
        // CategoricalDecision: static_cast<int>(v) truncates toward zero; NaN, negative codes and
        // codes beyond int range (which LightGBM's cast also turns negative or past the bitset) go right.
        let goLeft = false;
        if (v > -1 && v < 2147483648) {
          const code = v | 0;
          const word = code >>> 5;
          if (word < this.#catWords[c]!) goLeft = ((this.#catThreshold[this.#catBegin[c]! + word]! >>> (code & 31)) & 1) === 1;
        }
        node = goLeft ? left[node]! : right[node]!;
      } else if (v === 0) {
        node = zeroChild[node]!;
      } else {
        const th = thr[node]!;
        node = v <= th ? left[node]! : v > th ? right[node]! : nanChild[node]!;
      }
    }
    const leaf = ~node;
    if ((kind & KIND_LINEAR_FLAG) === 0) return this.#leafValue[leaf]!;
    // Tree::Predict for linear trees.
    let output = this.#leafConst[leaf]!;
    const end = this.#leafFeatureStart[leaf + 1]!;
    for (let i = this.#leafFeatureStart[leaf]!; i < end; i++) {
      const v = x[this.#leafFeatures[i]!]!;
      if (v !== v) return this.#leafValue[leaf]!;
      output += this.#leafCoeff[i]! * v;
    }
    return output;
  }
}

/** A packed array of doubles (V8's PACKED_DOUBLE_ELEMENTS: unboxed, no holes). */
function doubles(values: Float64Array): number[] {
  // Array.from keeps doubles unboxed; a 0.5 first element guarantees the double kind even when
  // every value is an integer (it is then overwritten, which does not change the kind).
  const out = Array.from(values);
  if (out.length > 0) {
    const first = out[0]!;
    out[0] = 0.5;
    out[0] = first;
  }
  return out;
}

/** A packed array of small integers (V8's PACKED_SMI_ELEMENTS). */
function smis(values: Int32Array): number[] {
  return Array.from(values);
}
