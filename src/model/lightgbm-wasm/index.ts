// lightgbm-wasm: LightGBM 4.1 compiled to WebAssembly, with a typed API. Runtime-agnostic entry:
// pair it with the loader for your runtime (./node.ts for Node and Deno, ./worker.ts for Workers).
export {
  type CreateOptions,
  type DatasetOptions,
  type EvalResult,
  type IterationInfo,
  type Logger,
  type LogLevel,
  type Matrix,
  type PredictOptions,
  type PredictType,
  type SaveOptions,
  type TrainOptions,
  type TrainResult,
  Booster,
  Dataset,
  defaultLogger,
  LightGBM,
} from "./lightgbm.ts";
export { LightGBMError, LightGBMTrapError, LightGBMUsageError } from "./errors.ts";
export { formatParams, ParamAliases, type Params, type ParamValue, parseParams } from "./params.ts";
