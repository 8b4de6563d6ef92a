// What goes into the lightgbm-wasm build. build.ts uses it to compile; check.ts compares it with
// dist/manifest.json so that CI can tell whether the committed wasm still matches its inputs.

export const LIGHTGBM_NPM_PACKAGE = "lightgbm@1.0.27";
/** The npm tarball's integrity as the registry published it; the build refuses any other bytes. */
export const LIGHTGBM_NPM_INTEGRITY = "sha512-4E/Gjr3FqQl9U3z0BMuuViTlvO7T9oGMcfa3Jp2MRyKWWSJxFPs7xDTlzrEaBBG6iA69S/AcGn1lgMCuZT8qsg==";
/** Where LightGBM's source sits inside the npm tarball. */
export const LIGHTGBM_SOURCE_DIR = "package/dependencies/LightGBM";
/** The emscripten release the build was made and verified with (Debian bookworm's package). */
export const EMCC_VERSION = "3.1.6";

export const PATCHES = ["single-machine.patch"];

export const SOURCE_GLOBS = ["src/boosting", "src/io", "src/metric", "src/objective", "src/network", "src/treelearner"];
export const EXTRA_SOURCES = ["src/c_api.cpp"];

export const COMPILE_FLAGS = ["-O3", "-funroll-loops", "-msimd128", "-std=c++11", "-fwasm-exceptions", "-DEIGEN_MPL2_ONLY", "-DEIGEN_DONT_PARALLELIZE"];
export const INCLUDE_DIRS = ["include", "external_libs/eigen", "external_libs/fmt/include", "external_libs/fast_double_parser/include"];

/** The C API functions the TypeScript wrapper calls (plus malloc/free). */
export const EXPORTED_FUNCTIONS = [
  "LGBM_GetLastError",
  "LGBM_DumpParamAliases",
  "LGBM_DatasetCreateFromMat",
  "LGBM_DatasetSetField",
  "LGBM_DatasetSetFeatureNames",
  "LGBM_DatasetGetNumData",
  "LGBM_DatasetGetNumFeature",
  "LGBM_DatasetFree",
  "LGBM_BoosterCreate",
  "LGBM_BoosterCreateFromModelfile",
  "LGBM_BoosterLoadModelFromString",
  "LGBM_BoosterFree",
  "LGBM_BoosterAddValidData",
  "LGBM_BoosterUpdateOneIter",
  "LGBM_BoosterGetCurrentIteration",
  "LGBM_BoosterNumModelPerIteration",
  "LGBM_BoosterGetNumClasses",
  "LGBM_BoosterGetNumFeature",
  "LGBM_BoosterGetFeatureNames",
  "LGBM_BoosterGetEvalCounts",
  "LGBM_BoosterGetEvalNames",
  "LGBM_BoosterGetEval",
  "LGBM_BoosterSaveModelToString",
  "LGBM_BoosterFeatureImportance",
  "LGBM_BoosterPredictForMat",
  "LGBM_BoosterCalcNumPredict",
  "malloc",
  "free",
  "mallinfo",
];

export const LINK_FLAGS = [
  "-O3",
  "-fwasm-exceptions",
  "-msimd128",
  "--no-entry",
  "-sMODULARIZE=1",
  "-sEXPORT_ES6=1",
  "-sEXPORT_NAME=createLightGBMModule",
  "-sENVIRONMENT=web",
  "-sFILESYSTEM=0",
  "-sALLOW_MEMORY_GROWTH=1",
  "-sINITIAL_MEMORY=33554432",
  "-sWASM_BIGINT=1",
  "-sDYNAMIC_EXECUTION=0",
  "-sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8",
];
