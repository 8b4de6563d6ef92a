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
import type { CompactForest } from "./compact-forest.ts";
import { KIND_LINEAR_FLAG, KIND_PLAIN } from "./compact-forest.ts";
import { PredictorUsageError } from "./errors.ts";
import type { FeatureInfo } from "./feature-info.ts";
import { convertOutput, type ObjectiveInfo, type OutputTransform } from "./objective.ts";

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

  /** @internal use parseModel */
  constructor(info: ModelInfo, forest: CompactForest) {
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
  }

  /** The prediction for one row (a single-output model; see predictInto for multiclass). */
  predict(row: Numbers, options?: PredictOptions): number {
    if (this.numOutputs !== 1) {
      throw new PredictorUsageError(`this model gives ${this.numOutputs} values per row (${this.info.objective.name}); use predictInto or predictBatch`);
    }
    this.#checkRow(row);
    this.#load(row, 0);
    const acc = this.#acc;
    if (options === undefined) {
      acc[0] = this.#sum1(0, this.#treeRoot.length);
      this.#finish(acc, 0, this.#numIterations, false);
    } else {
      const [t0, t1, iters] = this.#range(options);
      acc[0] = this.#sum1(t0, t1);
      this.#finish(acc, 0, iters, options.rawScore === true);
    }
    return acc[0]!;
  }

  /** Writes the numOutputs values for one row to out[offset ..]. */
  predictInto(row: Numbers, out: Float64Array, offset = 0, options?: PredictOptions): void {
    this.#checkRow(row);
    if (!Number.isInteger(offset) || offset < 0 || offset + this.numOutputs > out.length) {
      throw new PredictorUsageError(`out has ${out.length} values; cannot write ${this.numOutputs} at offset ${offset}`);
    }
    const [t0, t1, iters] = options === undefined ? [0, this.#treeRoot.length, this.#numIterations] : this.#range(options);
    this.#load(row, 0);
    this.#sumInto(t0, t1, out, offset);
    this.#finish(out, offset, iters, options?.rawScore === true);
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
    const [t0, t1, iters] = options === undefined ? [0, this.#treeRoot.length, this.#numIterations] : this.#range(options);
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
      throw new PredictorUsageError(`the row has ${row.length} values, the model has ${this.numFeatures} features (${this.featureNames.slice(0, 5).join(", ")}${this.numFeatures > 5 ? ", ..." : ""})`);
    }
  }

  /** LightGBM's GBDT::InitPredict: the tree range [t0, t1) and the number of iterations used. */
  #range(options: PredictOptions): [number, number, number] {
    const start = options.startIteration ?? 0;
    const num = options.numIteration ?? 0;
    if (!Number.isInteger(start)) throw new PredictorUsageError(`startIteration must be an integer, got ${start}`);
    if (!Number.isInteger(num)) throw new PredictorUsageError(`numIteration must be an integer, got ${num}`);
    const total = this.#numIterations;
    const s = Math.min(Math.max(start, 0), total);
    const n = num > 0 ? Math.min(num, total - s) : total - s;
    const k = this.numOutputs;
    return [s * k, (s + n) * k, n];
  }

  /** Copies a row into the evaluation buffer; values within kZeroThreshold of 0 become 0.0, as in LightGBM. */
  #load(src: Numbers, base: number): void {
    const x = this.#x;
    const nf = x.length;
    for (let j = 0; j < nf; j++) {
      const v = src[base + j]!;
      x[j] = v <= K_ZERO_THRESHOLD && v >= -K_ZERO_THRESHOLD ? 0 : v;
    }
  }

  /** GBDT::Predict after the sum: average (rf) and transform. Raw scores (GBDT::PredictRaw) get neither. */
  #finish(out: Float64Array, offset: number, iterations: number, raw: boolean): void {
    if (raw) return;
    const k = this.numOutputs;
    if (this.#averageOutput) for (let i = 0; i < k; i++) out[offset + i] = out[offset + i]! / iterations;
    convertOutput(this.#transform, this.#sigmoid, out, offset, k);
  }

  /** Sum of trees [t0, t1) for a single-output model. */
  #sum1(t0: number, t1: number): number {
    const x = this.#x;
    const treeRoot = this.#treeRoot;
    const treeKind = this.#treeKind;
    const feat = this.#feat;
    const thr = this.#thr;
    const left = this.#left;
    const right = this.#right;
    const nanChild = this.#nanChild;
    const leafValue = this.#leafValue;
    let sum = 0.0;
    for (let t = t0; t < t1; t++) {
      let node = treeRoot[t]!;
      if (treeKind[t] === KIND_PLAIN) {
        while (node >= 0) {
          const v = x[feat[node]!]!;
          const th = thr[node]!;
          node = v <= th ? left[node]! : v > th ? right[node]! : nanChild[node]!;
        }
        sum += leafValue[~node]!;
      } else {
        sum += this.#treeOutput(treeKind[t]!, node);
      }
    }
    return sum;
  }

  /** Sums trees [t0, t1) into out[offset + (tree % numOutputs)]. */
  #sumInto(t0: number, t1: number, out: Float64Array, offset: number): void {
    const k = this.numOutputs;
    const x = this.#x;
    const treeRoot = this.#treeRoot;
    const treeKind = this.#treeKind;
    const feat = this.#feat;
    const thr = this.#thr;
    const left = this.#left;
    const right = this.#right;
    const nanChild = this.#nanChild;
    const leafValue = this.#leafValue;
    for (let i = 0; i < k; i++) out[offset + i] = 0.0;
    let cls = 0;
    for (let t = t0; t < t1; t++) {
      let node = treeRoot[t]!;
      let value: number;
      if (treeKind[t] === KIND_PLAIN) {
        while (node >= 0) {
          const v = x[feat[node]!]!;
          const th = thr[node]!;
          node = v <= th ? left[node]! : v > th ? right[node]! : nanChild[node]!;
        }
        value = leafValue[~node]!;
      } else {
        value = this.#treeOutput(treeKind[t]!, node);
      }
      out[offset + cls] = out[offset + cls]! + value;
      if (++cls === k) cls = 0;
    }
  }

  /** One tree's output for trees that are not KIND_PLAIN: zero-as-missing, categorical or linear. */
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
