// Typed API over LightGBM's C API compiled to WebAssembly. Runtime-agnostic: it is handed a compiled
// WebAssembly.Module (see node.ts / worker.ts for the loaders) and never touches fetch or a filesystem.
// @ts-types="./dist/lightgbm.d.mts"
import createLightGBMModule, { type LightGBMModule } from "./dist/lightgbm.mjs";
import { LightGBMError, LightGBMTrapError, LightGBMUsageError } from "./errors.ts";
import { formatParams, ParamAliases, type Params } from "./params.ts";

export type Matrix = Float32Array | Float64Array;
export type LogLevel = "fatal" | "warning" | "info" | "debug";
export type Logger = (level: LogLevel, message: string) => void;

const C_API_DTYPE_FLOAT32 = 0;
const C_API_DTYPE_FLOAT64 = 1;
const PREDICT_TYPES = { normal: 0, raw: 1, leaf: 2, contrib: 3 } as const;
export type PredictType = keyof typeof PREDICT_TYPES;
const IMPORTANCE_TYPES = { split: 0, gain: 1 } as const;

/** Default log sink: LightGBM's warnings to the console; info/debug dropped; fatal messages become the thrown LightGBMError. */
export const defaultLogger: Logger = (level, message) => {
  if (level === "warning") console.warn(`[LightGBM] [${level}] ${message}`);
};

export interface CreateOptions {
  /** Where LightGBM's log lines go (they honour the `verbosity` parameter). */
  logger?: Logger;
}

export interface DatasetOptions {
  /** Row-major matrix of numRows x numCols feature values; NaN is a missing value. */
  data: Matrix;
  numRows: number;
  numCols: number;
  featureNames?: readonly string[];
  label?: ArrayLike<number>;
  weight?: ArrayLike<number>;
  /** Dataset parameters (max_bin, min_data_in_bin, categorical_feature, ...). */
  params?: Params;
  /** Bin a validation set with the training set's bin boundaries (as LightGBM requires). */
  reference?: Dataset;
}

export interface EvalResult {
  /** "training" or the validation set's name. */
  dataset: string;
  metric: string;
  value: number;
  higherBetter: boolean;
}

export interface IterationInfo {
  /** 1-based iteration that just finished. */
  iteration: number;
  evals: EvalResult[];
}

export interface TrainOptions {
  params: Params;
  train: Dataset;
  valid?: readonly { name: string; data: Dataset }[];
  /** Evaluate the training set too at each iteration (like Python's valid_sets=[train, ...]). */
  evalTrain?: boolean;
  /** Called after each iteration; return false to stop training. */
  onIteration?: (info: IterationInfo) => boolean | void;
}

export interface TrainResult {
  booster: Booster;
  /** Iterations trained. */
  iterations: number;
  /** With early stopping: the best iteration (1-based) and its scores; otherwise the last one. */
  bestIteration: number;
  bestScores: EvalResult[];
  /** Per-iteration evaluation history. */
  history: IterationInfo[];
  stoppedEarly: boolean;
}

export interface PredictOptions {
  type?: PredictType;
  startIteration?: number;
  /** <= 0 means all (or up to the best iteration the model was saved with). */
  numIteration?: number;
  params?: Params;
}

export interface SaveOptions {
  startIteration?: number;
  /** <= 0 means all iterations. */
  numIteration?: number;
  importanceType?: keyof typeof IMPORTANCE_TYPES;
}

function logLine(logger: Logger, line: string): void {
  const m = /^\[LightGBM\] \[(Fatal|Warning|Info|Debug)\] (.*)$/s.exec(line);
  if (m) logger((m[1] ?? "info").toLowerCase() as LogLevel, m[2] ?? "");
  else if (line.trim()) logger("info", line);
}

const HIGHER_BETTER = /^(auc|ndcg|map|average_precision|auc_mu)/;

/** One LightGBM WebAssembly instance. Instances are independent; each is single-threaded. */
export class LightGBM {
  readonly #m: LightGBMModule;
  #trapped: Error | undefined;
  #aliases: ParamAliases | undefined;
  #logger: Logger;

  private constructor(m: LightGBMModule, logger: Logger) {
    this.#m = m;
    this.#logger = logger;
  }

  /** Instantiate from a compiled module. No fetch, no filesystem. */
  static async create(module: WebAssembly.Module, options: CreateOptions = {}): Promise<LightGBM> {
    // Log lines can arrive before the instance exists; they go to the logger given here.
    let sink = (line: string) => logLine(options.logger ?? defaultLogger, line);
    const m = await createLightGBMModule({
      instantiateWasm(imports, done) {
        WebAssembly.instantiate(module, imports).then(
          (instance) => done(instance, module),
          (e: unknown) => {
            throw e;
          },
        );
        return {};
      },
      locateFile: (path: string) => path,
      print: (line) => sink(line),
      printErr: (line) => sink(line),
    });
    const self = new LightGBM(m, options.logger ?? defaultLogger);
    sink = (line) => logLine(self.#logger, line);
    return self;
  }

  set logger(logger: Logger) {
    this.#logger = logger;
  }

  /** Bytes of wasm linear memory (grows, never shrinks). */
  memoryBytes(): number {
    return this.#m.HEAPU8.buffer.byteLength;
  }

  /** Bytes currently allocated by malloc inside the instance (dlmalloc's mallinfo().uordblks). */
  heapInUse(): number {
    return this.#withScratch(40, (p) => {
      this.#m._mallinfo(p);
      return this.#m.HEAPU32[(p >> 2) + 7] ?? 0;
    });
  }

  /** LightGBM's parameter alias table. */
  aliases(): ParamAliases {
    if (!this.#aliases) {
      const json = this.#readString("LGBM_DumpParamAliases", (len, outLen, buf) => this.#m._LGBM_DumpParamAliases(len, outLen, buf));
      this.#aliases = new ParamAliases(JSON.parse(json) as Record<string, string[]>);
    }
    return this.#aliases;
  }

  /** Throws a LightGBMUsageError naming every parameter LightGBM would not recognise. */
  checkParams(params: Params): void {
    const unknown = this.aliases().unknown(params);
    if (unknown.length) {
      const list = unknown.map((u) => (u.suggestion ? `${u.name} (did you mean ${u.suggestion}?)` : u.name)).join(", ");
      throw new LightGBMUsageError(`unknown LightGBM parameter${unknown.length > 1 ? "s" : ""}: ${list}`);
    }
  }

  createDataset(opts: DatasetOptions): Dataset {
    const { data, numRows, numCols } = opts;
    if (!Number.isInteger(numRows) || numRows <= 0) throw new LightGBMUsageError(`numRows must be a positive integer, got ${numRows}`);
    if (!Number.isInteger(numCols) || numCols <= 0) throw new LightGBMUsageError(`numCols must be a positive integer, got ${numCols}`);
    if (data.length !== numRows * numCols) {
      throw new LightGBMUsageError(`data has ${data.length} values, expected numRows x numCols = ${numRows * numCols}`);
    }
    for (const [field, values] of [
      ["label", opts.label],
      ["weight", opts.weight],
    ] as const) {
      if (values && values.length !== numRows) throw new LightGBMUsageError(`${field} has ${values.length} values, expected ${numRows}`);
    }
    if (opts.featureNames && opts.featureNames.length !== numCols) {
      throw new LightGBMUsageError(`featureNames has ${opts.featureNames.length} names, expected ${numCols}`);
    }
    const reference = opts.reference?.handle ?? 0;
    const handle = this.#withBytes(data, (dataPtr) =>
      this.#withString(formatParams(opts.params ?? {}), (paramPtr) =>
        this.#withOutPointer("LGBM_DatasetCreateFromMat", (out) =>
          this.#m._LGBM_DatasetCreateFromMat(
            dataPtr,
            data instanceof Float32Array ? C_API_DTYPE_FLOAT32 : C_API_DTYPE_FLOAT64,
            numRows,
            numCols,
            1,
            paramPtr,
            reference,
            out,
          ),
        ),
      ),
    );
    const ds = new Dataset(this, handle, numRows, numCols);
    try {
      if (opts.label) ds.setField("label", opts.label);
      if (opts.weight) ds.setField("weight", opts.weight);
      if (opts.featureNames) this.#setFeatureNames(handle, opts.featureNames);
    } catch (e) {
      ds.free();
      throw e;
    }
    return ds;
  }

  #setFeatureNames(handle: number, names: readonly string[]) {
    const ptrs: number[] = [];
    try {
      for (const n of names) ptrs.push(this.#allocString(n));
      this.#withBytes(new Uint32Array(ptrs), (arr) =>
        this.#check("LGBM_DatasetSetFeatureNames", this.#m._LGBM_DatasetSetFeatureNames(handle, arr, names.length)),
      );
    } finally {
      for (const p of ptrs) this.#m._free(p);
    }
  }

  /** A booster for training on `train` with the given parameters. */
  createBooster(train: Dataset, params: Params): Booster {
    const handle = this.#withString(formatParams(params), (p) =>
      this.#withOutPointer("LGBM_BoosterCreate", (out) => this.#m._LGBM_BoosterCreate(train.handle, p, out)),
    );
    return new Booster(this, handle, params);
  }

  /** A booster from LightGBM's model text format (our output, or Python/CLI LightGBM 4.x's). */
  loadModel(text: string): Booster {
    const handle = this.#withString(text, (p) =>
      this.#withScratch(4, (iters) =>
        this.#withOutPointer("LGBM_BoosterLoadModelFromString", (out) => this.#m._LGBM_BoosterLoadModelFromString(p, iters, out)),
      ),
    );
    return new Booster(this, handle, {});
  }

  /**
   * Train like LightGBM's Python `lgb.train`: num_iterations (or any alias, default 100) rounds,
   * evaluation on the validation sets after each, and early stopping when early_stopping_round
   * (or an alias) is set: stop when a validation metric has not improved for that many rounds
   * (only the first metric with first_metric_only=true) and keep the best iteration.
   */
  train(opts: TrainOptions): TrainResult {
    const aliases = this.aliases();
    const numIterations = intParam(aliases, opts.params, "num_iterations", 100);
    const earlyStop = intParam(aliases, opts.params, "early_stopping_round", 0);
    const firstMetricOnly = boolParam(aliases, opts.params, "first_metric_only", false);
    const minDelta = Number(aliases.lookup(opts.params, "early_stopping_min_delta") ?? 0);
    const valid = opts.valid ?? [];
    if (earlyStop > 0 && valid.length === 0) throw new LightGBMUsageError("early stopping needs at least one validation set");

    // LightGBM evaluates the training data only when asked to (Python's lgb.train does the same).
    const params =
      opts.evalTrain && aliases.lookup(opts.params, "is_provide_training_metric") === undefined
        ? { ...opts.params, is_provide_training_metric: true }
        : opts.params;
    const booster = this.createBooster(opts.train, params);
    try {
      for (const v of valid) booster.addValidData(v.data);
      const names = booster.evalNames();
      const history: IterationInfo[] = [];
      let best: { iteration: number; scores: number[]; evals: EvalResult[] } | undefined;
      const bestPerMetric: { iteration: number; score: number }[] = [];
      let stoppedEarly = false;
      let iteration = 0;
      while (iteration < numIterations) {
        const finished = booster.updateOneIter();
        iteration++;
        const evals: EvalResult[] = [];
        const sets = [...(opts.evalTrain ? [{ name: "training", idx: 0 }] : []), ...valid.map((v, i) => ({ name: v.name, idx: i + 1 }))];
        for (const s of sets) {
          const values = booster.eval(s.idx);
          values.forEach((value, i) => {
            const metric = names[i] ?? `metric${i}`;
            evals.push({ dataset: s.name, metric, value, higherBetter: HIGHER_BETTER.test(metric) });
          });
        }
        const info = { iteration, evals };
        history.push(info);
        const stopRequested = opts.onIteration?.(info) === false;
        if (earlyStop > 0) {
          const watched = evals.filter((e) => e.dataset !== "training");
          const considered = firstMetricOnly ? watched.filter((e) => e.metric === names[0]) : watched;
          let stop = false;
          considered.forEach((e, i) => {
            const prev = bestPerMetric[i];
            const better = !prev || (e.higherBetter ? e.value > prev.score + minDelta : e.value < prev.score - minDelta);
            if (better) bestPerMetric[i] = { iteration, score: e.value };
            else if (prev && iteration - prev.iteration >= earlyStop) stop = true;
          });
          // The best iteration is the one at which the first watched metric was best (as Python reports it).
          const first = bestPerMetric[0];
          if (first && first.iteration === iteration) best = { iteration, scores: considered.map((e) => e.value), evals };
          if (stop) {
            stoppedEarly = true;
            break;
          }
        }
        if (stopRequested || finished) break;
      }
      const bestIteration = best?.iteration ?? iteration;
      if (earlyStop > 0) booster.bestIteration = bestIteration;
      return {
        booster,
        iterations: iteration,
        bestIteration,
        bestScores: best?.evals ?? history.at(-1)?.evals ?? [],
        history,
        stoppedEarly,
      };
    } catch (e) {
      if (!(e instanceof LightGBMTrapError)) booster.free();
      throw e;
    }
  }

  // ---- internals shared with Dataset and Booster ----

  /** @internal */
  call<T>(fn: () => T): T {
    if (this.#trapped) throw new LightGBMTrapError(`this LightGBM instance trapped earlier (${this.#trapped.message}); create a new one`);
    try {
      return fn();
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        this.#trapped = e;
        throw new LightGBMTrapError(`LightGBM trapped: ${e.message}`);
      }
      throw e;
    }
  }

  /** @internal */
  check(fnName: string, rc: number): void {
    if (rc !== 0) {
      const msg = this.#m.UTF8ToString(this.#m._LGBM_GetLastError());
      throw new LightGBMError(fnName, msg || `${fnName} failed (${rc})`);
    }
  }

  #check(fnName: string, rc: number) {
    this.check(fnName, rc);
  }

  /** @internal */
  get module(): LightGBMModule {
    return this.#m;
  }

  #allocString(s: string): number {
    const len = this.#m.lengthBytesUTF8(s) + 1;
    const p = this.#m._malloc(len);
    if (!p) throw new LightGBMTrapError(`out of memory allocating ${len} bytes`);
    this.#m.stringToUTF8(s, p, len);
    return p;
  }

  #withString<T>(s: string, fn: (p: number) => T): T {
    return this.call(() => {
      const p = this.#allocString(s);
      try {
        return fn(p);
      } finally {
        this.#m._free(p);
      }
    });
  }

  /** @internal Copy a typed array into wasm memory for the duration of fn. */
  withBytes<T>(arr: ArrayBufferView, fn: (p: number) => T): T {
    return this.#withBytes(arr, fn);
  }

  #withBytes<T>(arr: ArrayBufferView, fn: (p: number) => T): T {
    return this.call(() => {
      const p = this.#m._malloc(Math.max(arr.byteLength, 8));
      if (!p) throw new LightGBMTrapError(`out of memory allocating ${arr.byteLength} bytes`);
      try {
        this.#m.HEAPU8.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), p);
        return fn(p);
      } finally {
        this.#m._free(p);
      }
    });
  }

  /** @internal Zeroed scratch memory for out-parameters. */
  withScratch<T>(bytes: number, fn: (p: number) => T): T {
    return this.#withScratch(bytes, fn);
  }

  #withScratch<T>(bytes: number, fn: (p: number) => T): T {
    return this.call(() => {
      const p = this.#m._malloc(bytes);
      if (!p) throw new LightGBMTrapError(`out of memory allocating ${bytes} bytes`);
      try {
        this.#m.HEAPU8.fill(0, p, p + bytes);
        return fn(p);
      } finally {
        this.#m._free(p);
      }
    });
  }

  #withOutPointer(fnName: string, fn: (out: number) => number): number {
    return this.#withScratch(4, (out) => {
      this.#check(fnName, fn(out));
      return this.#m.HEAPU32[out >> 2] ?? 0;
    });
  }

  /** @internal Calls a C function of the shape (int64 buffer_len, int64* out_len, char* out_str) twice: size, then text. */
  readString(fnName: string, fn: (bufferLen: bigint, outLen: number, buf: number) => number): string {
    return this.#readString(fnName, fn);
  }

  #readString(fnName: string, fn: (bufferLen: bigint, outLen: number, buf: number) => number): string {
    return this.#withScratch(8, (outLen) => {
      let size = 1 << 16;
      for (;;) {
        const text = this.#withScratch(size, (buf) => {
          this.#check(fnName, fn(BigInt(size), outLen, buf));
          const needed = Number(this.#m.HEAP64[outLen >> 3]);
          if (needed > size) {
            size = needed;
            return undefined;
          }
          return this.#m.UTF8ToString(buf, needed - 1);
        });
        if (text !== undefined) return text;
      }
    });
  }
}

function intParam(aliases: ParamAliases, params: Params, name: string, dflt: number): number {
  const v = aliases.lookup(params, name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new LightGBMUsageError(`parameter ${name}: ${JSON.stringify(v)} is not an integer`);
  return n;
}

function boolParam(aliases: ParamAliases, params: Params, name: string, dflt: boolean): boolean {
  const v = aliases.lookup(params, name);
  if (v === undefined) return dflt;
  if (v === true || v === "true" || v === "+" || v === 1 || v === "1") return true;
  if (v === false || v === "false" || v === "-" || v === 0 || v === "0") return false;
  throw new LightGBMUsageError(`parameter ${name}: ${JSON.stringify(v)} is not a boolean`);
}

abstract class Handle {
  protected readonly lgb: LightGBM;
  #handle: number;
  protected abstract readonly kind: string;

  constructor(lgb: LightGBM, handle: number) {
    this.lgb = lgb;
    this.#handle = handle;
  }

  /** @internal The C handle; throws once freed. */
  get handle(): number {
    if (!this.#handle) throw new LightGBMUsageError(`this ${this.kind} was freed`);
    return this.#handle;
  }

  get freed(): boolean {
    return this.#handle === 0;
  }

  /** Release the wasm memory behind this object. Safe to call twice. */
  free(): void {
    if (!this.#handle) return;
    const h = this.#handle;
    this.#handle = 0;
    this.release(h);
  }

  protected abstract release(handle: number): void;
}

export class Dataset extends Handle {
  protected readonly kind = "Dataset";
  readonly numRows: number;
  readonly numCols: number;

  /** @internal use LightGBM.createDataset */
  constructor(lgb: LightGBM, handle: number, numRows: number, numCols: number) {
    super(lgb, handle);
    this.numRows = numRows;
    this.numCols = numCols;
  }

  /** Set "label", "weight" (float32) or "init_score" (float64). */
  setField(field: "label" | "weight" | "init_score", values: ArrayLike<number>): void {
    if (values.length !== this.numRows) throw new LightGBMUsageError(`${field} has ${values.length} values, expected ${this.numRows}`);
    const arr = field === "init_score" ? Float64Array.from(values) : Float32Array.from(values);
    const type = field === "init_score" ? C_API_DTYPE_FLOAT64 : C_API_DTYPE_FLOAT32;
    this.lgb.withBytes(arr, (p) =>
      this.lgb.withBytes(new TextEncoder().encode(`${field}\0`), (name) =>
        this.lgb.check("LGBM_DatasetSetField", this.lgb.module._LGBM_DatasetSetField(this.handle, name, p, values.length, type)),
      ),
    );
  }

  numData(): number {
    return this.#getInt("LGBM_DatasetGetNumData", (out) => this.lgb.module._LGBM_DatasetGetNumData(this.handle, out));
  }

  numFeature(): number {
    return this.#getInt("LGBM_DatasetGetNumFeature", (out) => this.lgb.module._LGBM_DatasetGetNumFeature(this.handle, out));
  }

  #getInt(fnName: string, fn: (out: number) => number): number {
    return this.lgb.withScratch(4, (out) => {
      this.lgb.check(fnName, fn(out));
      return this.lgb.module.HEAP32[out >> 2] ?? 0;
    });
  }

  protected release(handle: number): void {
    this.lgb.call(() => this.lgb.check("LGBM_DatasetFree", this.lgb.module._LGBM_DatasetFree(handle)));
  }
}

export class Booster extends Handle {
  protected readonly kind = "Booster";
  readonly params: Params;
  /** Set by early stopping: predictions and saved models use iterations up to this one by default. */
  bestIteration = 0;

  /** @internal use LightGBM.createBooster / loadModel / train */
  constructor(lgb: LightGBM, handle: number, params: Params) {
    super(lgb, handle);
    this.params = params;
  }

  addValidData(data: Dataset): void {
    this.lgb.call(() => this.lgb.check("LGBM_BoosterAddValidData", this.lgb.module._LGBM_BoosterAddValidData(this.handle, data.handle)));
  }

  /** One boosting round. Returns true when LightGBM cannot split any further. */
  updateOneIter(): boolean {
    return this.lgb.withScratch(4, (out) => {
      this.lgb.check("LGBM_BoosterUpdateOneIter", this.lgb.module._LGBM_BoosterUpdateOneIter(this.handle, out));
      return (this.lgb.module.HEAP32[out >> 2] ?? 0) !== 0;
    });
  }

  currentIteration(): number {
    return this.#getInt("LGBM_BoosterGetCurrentIteration", (out) => this.lgb.module._LGBM_BoosterGetCurrentIteration(this.handle, out));
  }

  numClasses(): number {
    return this.#getInt("LGBM_BoosterGetNumClasses", (out) => this.lgb.module._LGBM_BoosterGetNumClasses(this.handle, out));
  }

  numFeature(): number {
    return this.#getInt("LGBM_BoosterGetNumFeature", (out) => this.lgb.module._LGBM_BoosterGetNumFeature(this.handle, out));
  }

  featureNames(): string[] {
    return this.#getStrings("LGBM_BoosterGetFeatureNames", this.numFeature(), (len, outLen, bufLen, outBufLen, strs) =>
      this.lgb.module._LGBM_BoosterGetFeatureNames(this.handle, len, outLen, bufLen, outBufLen, strs),
    );
  }

  /** Names of the metrics evaluated at each iteration, in order. */
  evalNames(): string[] {
    const count = this.#getInt("LGBM_BoosterGetEvalCounts", (out) => this.lgb.module._LGBM_BoosterGetEvalCounts(this.handle, out));
    if (count === 0) return [];
    return this.#getStrings("LGBM_BoosterGetEvalNames", count, (len, outLen, bufLen, outBufLen, strs) =>
      this.lgb.module._LGBM_BoosterGetEvalNames(this.handle, len, outLen, bufLen, outBufLen, strs),
    );
  }

  /** Metric values on data set `index` (0 = training data, 1.. = validation sets in the order added). */
  eval(index: number): number[] {
    const count = this.#getInt("LGBM_BoosterGetEvalCounts", (out) => this.lgb.module._LGBM_BoosterGetEvalCounts(this.handle, out));
    if (count === 0) return [];
    // malloc returns 8-aligned memory: the doubles first, the int count after them.
    return this.lgb.withScratch(8 * count + 8, (values) => {
      const outLen = values + 8 * count;
      const m = this.lgb.module;
      this.lgb.check("LGBM_BoosterGetEval", m._LGBM_BoosterGetEval(this.handle, index, outLen, values));
      const n = m.HEAP32[outLen >> 2] ?? 0;
      return Array.from(m.HEAPF64.subarray(values >> 3, (values >> 3) + n));
    });
  }

  /** Predict a row-major numRows x numCols matrix (NaN = missing). */
  predict(data: Matrix, numRows: number, numCols: number, opts: PredictOptions = {}): Float64Array {
    if (data.length !== numRows * numCols) {
      throw new LightGBMUsageError(`data has ${data.length} values, expected numRows x numCols = ${numRows * numCols}`);
    }
    const nf = this.numFeature();
    if (numCols !== nf) throw new LightGBMUsageError(`the model has ${nf} features, the data ${numCols} columns`);
    const type = PREDICT_TYPES[opts.type ?? "normal"];
    const start = opts.startIteration ?? 0;
    const numIter = opts.numIteration ?? (this.bestIteration > 0 ? this.bestIteration : -1);
    const m = this.lgb.module;
    const outSize = this.lgb.withScratch(8, (out) => {
      this.lgb.check("LGBM_BoosterCalcNumPredict", m._LGBM_BoosterCalcNumPredict(this.handle, numRows, type, start, numIter, out));
      return Number(m.HEAP64[out >> 3]);
    });
    return this.lgb.withBytes(data, (dataPtr) =>
      this.lgb.withBytes(new TextEncoder().encode(`${formatParams(opts.params ?? {})}\0`), (paramPtr) =>
        this.lgb.withScratch(8 + 8 * outSize, (out) => {
          const result = out + 8;
          this.lgb.check(
            "LGBM_BoosterPredictForMat",
            m._LGBM_BoosterPredictForMat(
              this.handle,
              dataPtr,
              data instanceof Float32Array ? C_API_DTYPE_FLOAT32 : C_API_DTYPE_FLOAT64,
              numRows,
              numCols,
              1,
              type,
              start,
              numIter,
              paramPtr,
              out,
              result,
            ),
          );
          const n = Number(m.HEAP64[out >> 3]);
          return m.HEAPF64.slice(result >> 3, (result >> 3) + n);
        }),
      ),
    );
  }

  /** The model in LightGBM's text format (byte-identical to what native LightGBM writes). */
  saveModel(opts: SaveOptions = {}): string {
    const numIter = opts.numIteration ?? (this.bestIteration > 0 ? this.bestIteration : -1);
    const imp = IMPORTANCE_TYPES[opts.importanceType ?? "split"];
    return this.lgb.readString("LGBM_BoosterSaveModelToString", (len, outLen, buf) =>
      this.lgb.module._LGBM_BoosterSaveModelToString(this.handle, opts.startIteration ?? 0, numIter, imp, len, outLen, buf),
    );
  }

  featureImportance(type: keyof typeof IMPORTANCE_TYPES = "gain", numIteration = 0): number[] {
    const n = this.numFeature();
    return this.lgb.withScratch(8 * n, (p) => {
      this.lgb.check("LGBM_BoosterFeatureImportance", this.lgb.module._LGBM_BoosterFeatureImportance(this.handle, numIteration, IMPORTANCE_TYPES[type], p));
      return Array.from(this.lgb.module.HEAPF64.subarray(p >> 3, (p >> 3) + n));
    });
  }

  #getInt(fnName: string, fn: (out: number) => number): number {
    return this.lgb.withScratch(4, (out) => {
      this.lgb.check(fnName, fn(out));
      return this.lgb.module.HEAP32[out >> 2] ?? 0;
    });
  }

  #getStrings(fnName: string, count: number, fn: (len: number, outLen: number, bufLen: number, outBufLen: number, strs: number) => number): string[] {
    const bufLen = 256;
    const m = this.lgb.module;
    return this.lgb.withScratch(8 + 4 * count + bufLen * count, (p) => {
      const outLen = p;
      const outBufLen = p + 4;
      const strs = p + 8;
      const bufs = strs + 4 * count;
      for (let i = 0; i < count; i++) m.HEAPU32[(strs >> 2) + i] = bufs + i * bufLen;
      this.lgb.check(fnName, fn(count, outLen, bufLen, outBufLen, strs));
      const needed = m.HEAPU32[outBufLen >> 2] ?? 0;
      if (needed > bufLen) throw new LightGBMUsageError(`${fnName}: a name is longer than ${bufLen - 1} bytes`);
      const n = m.HEAP32[outLen >> 2] ?? 0;
      return Array.from({ length: n }, (_, i) => m.UTF8ToString(bufs + i * bufLen));
    });
  }

  protected release(handle: number): void {
    this.lgb.call(() => this.lgb.check("LGBM_BoosterFree", this.lgb.module._LGBM_BoosterFree(handle)));
  }
}
