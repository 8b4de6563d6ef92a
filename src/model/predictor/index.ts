// Serving-path LightGBM predictor: parses LightGBM model text (v4) into flat typed arrays and
// predicts in plain TypeScript, equal bit for bit to LightGBM's own predictions. No WebAssembly.
export { parseModel } from "./parse-model.ts";
export { parseVerifiedModel } from "./verified-model.ts";
export { Model, K_ZERO_THRESHOLD, type ModelInfo, type ModelOptions, type Numbers, type PredictOptions } from "./model.ts";
export type { CompactForest } from "./compact-forest.ts";
export type { LockstepForest } from "./lockstep-forest.ts";
export type { FeatureInfo } from "./feature-info.ts";
export type { ObjectiveInfo, OutputTransform } from "./objective.ts";
export { ChecksumMismatchError, ModelBinaryError, type ModelBinaryProblem, ModelTextError, type ModelTextProblem, PredictorUsageError } from "./errors.ts";
export { decodeModelBinary, encodeModelBinary, MODEL_BINARY_MAGIC, MODEL_BINARY_VERSION, type ModelBinaryEntry } from "./binary-model.ts";
export { sha256Hex, verifySha256 } from "./sha256.ts";
