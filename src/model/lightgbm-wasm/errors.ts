/** An error LightGBM itself reported (the text of LGBM_GetLastError), with the C API call that failed. */
export class LightGBMError extends Error {
  override name = "LightGBMError";
  readonly call: string;
  constructor(call: string, message: string) {
    super(message);
    this.call = call;
  }
}

/** The wrapper was used wrongly: bad shapes, a freed handle, an unknown parameter name. */
export class LightGBMUsageError extends Error {
  override name = "LightGBMUsageError";
}

/**
 * The WebAssembly instance trapped (abort, out of memory, unreachable). Its memory may be
 * inconsistent, so the instance refuses further calls; create a new one.
 */
export class LightGBMTrapError extends Error {
  override name = "LightGBMTrapError";
}
