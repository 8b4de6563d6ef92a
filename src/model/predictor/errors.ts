// Errors of the serving-path predictor. A model text is either accepted whole or refused with a
// ModelTextError that says what is wrong and where; nothing is ever half-loaded.

/** What kind of fault made a model text unacceptable. */
export type ModelTextProblem =
  /** Not LightGBM model text at all (empty, or no "tree" header line). */
  | "not-a-model"
  /** A model format version other than the one this predictor implements (v4). */
  | "version"
  /** A field LightGBM needs is absent. */
  | "missing-field"
  /** A field this predictor does not know (refused rather than silently ignored). */
  | "unknown-field"
  /** A value that is not a number (or not an integer where one is needed). */
  | "bad-number"
  /** An array with the wrong number of values, or tree_sizes that do not match the trees. */
  | "length-mismatch"
  /** Values that contradict each other (feature index out of range, classes vs trees per iteration, ...). */
  | "inconsistent"
  /** Child links that do not form a tree. */
  | "structure"
  /** The text ends before "end of trees". */
  | "truncated"
  /** A valid LightGBM feature this predictor does not implement (unknown objective, ...). */
  | "unsupported";

/** The model text was refused. `where` names the place: "header", "Tree=3", "Tree=3 threshold", ... */
export class ModelTextError extends Error {
  override name = "ModelTextError";
  readonly problem: ModelTextProblem;
  readonly where: string;
  constructor(problem: ModelTextProblem, where: string, detail: string) {
    super(`LightGBM model text refused (${problem}) at ${where}: ${detail}`);
    this.problem = problem;
    this.where = where;
  }
}

/** The predictor was called wrongly: a row of the wrong length, a multi-output model asked for one number, ... */
export class PredictorUsageError extends Error {
  override name = "PredictorUsageError";
}

/** An artifact's bytes do not hash to the checksum it was published with. */
export class ChecksumMismatchError extends Error {
  override name = "ChecksumMismatchError";
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string) {
    super(`${what}: sha256 is ${actual}, expected ${expected}`);
    this.expected = expected;
    this.actual = actual;
  }
}

/** What is wrong with a compiled model container (binary-model.ts). */
export type ModelBinaryProblem =
  /** Not a compiled model (wrong magic, too short). */
  | "not-compiled-model"
  /** A container format version this code does not read. */
  | "version"
  /** The header or the arrays do not describe a valid forest. */
  | "corrupt"
  /** Something this platform or format cannot express (big-endian, non-finite model info). */
  | "unsupported";

/** A compiled model container was refused; the LightGBM text it was compiled from is still the truth. */
export class ModelBinaryError extends Error {
  override name = "ModelBinaryError";
  readonly problem: ModelBinaryProblem;
  constructor(problem: ModelBinaryProblem, detail: string) {
    super(`compiled model refused (${problem}): ${detail}`);
    this.problem = problem;
  }
}
