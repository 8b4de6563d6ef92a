// Hand-written types for the emscripten glue (lightgbm.mjs) that build.ts generates.
// Only the exports listed in build/config.ts exist; pointers are wasm32 byte offsets.
export interface LightGBMModule {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  HEAPU32: Uint32Array;
  HEAPF64: Float64Array;
  HEAP64: BigInt64Array;
  UTF8ToString(ptr: number, maxBytesToRead?: number): string;
  stringToUTF8(str: string, ptr: number, maxBytes: number): number;
  lengthBytesUTF8(str: string): number;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _mallinfo(out: number): void;
  _LGBM_GetLastError(): number;
  _LGBM_DumpParamAliases(bufferLen: bigint, outLen: number, out: number): number;
  _LGBM_DatasetCreateFromMat(data: number, dtype: number, nrow: number, ncol: number, rowMajor: number, params: number, reference: number, out: number): number;
  _LGBM_DatasetSetField(handle: number, field: number, data: number, n: number, dtype: number): number;
  _LGBM_DatasetSetFeatureNames(handle: number, names: number, n: number): number;
  _LGBM_DatasetGetNumData(handle: number, out: number): number;
  _LGBM_DatasetGetNumFeature(handle: number, out: number): number;
  _LGBM_DatasetFree(handle: number): number;
  _LGBM_BoosterCreate(train: number, params: number, out: number): number;
  _LGBM_BoosterLoadModelFromString(text: number, outIterations: number, out: number): number;
  _LGBM_BoosterFree(handle: number): number;
  _LGBM_BoosterAddValidData(handle: number, data: number): number;
  _LGBM_BoosterUpdateOneIter(handle: number, isFinished: number): number;
  _LGBM_BoosterGetCurrentIteration(handle: number, out: number): number;
  _LGBM_BoosterNumModelPerIteration(handle: number, out: number): number;
  _LGBM_BoosterGetNumClasses(handle: number, out: number): number;
  _LGBM_BoosterGetNumFeature(handle: number, out: number): number;
  _LGBM_BoosterGetFeatureNames(handle: number, len: number, outLen: number, bufferLen: number, outBufferLen: number, out: number): number;
  _LGBM_BoosterGetEvalCounts(handle: number, out: number): number;
  _LGBM_BoosterGetEvalNames(handle: number, len: number, outLen: number, bufferLen: number, outBufferLen: number, out: number): number;
  _LGBM_BoosterGetEval(handle: number, dataIdx: number, outLen: number, out: number): number;
  _LGBM_BoosterSaveModelToString(handle: number, start: number, numIteration: number, importance: number, bufferLen: bigint, outLen: number, out: number): number;
  _LGBM_BoosterFeatureImportance(handle: number, numIteration: number, importance: number, out: number): number;
  _LGBM_BoosterCalcNumPredict(handle: number, nrow: number, type: number, start: number, numIteration: number, out: number): number;
  _LGBM_BoosterPredictForMat(handle: number, data: number, dtype: number, nrow: number, ncol: number, rowMajor: number, type: number, start: number, numIteration: number, params: number, outLen: number, out: number): number;
}

export interface LightGBMModuleOptions {
  instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object;
  locateFile(path: string): string;
  print(line: string): void;
  printErr(line: string): void;
}

export default function createLightGBMModule(options: LightGBMModuleOptions): Promise<LightGBMModule>;
