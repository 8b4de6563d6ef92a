// Errors of the model registry and the promotion gate. Each message is one line naming the
// location, version or alias concerned.

/** No such version in that location (the CLI prints it and exits 1, like an HTTP 404). */
export class VersionNotFoundError extends Error {
  override name = "VersionNotFoundError";
  readonly code = "not-found";
  readonly location: string;
  readonly version: string;
  constructor(location: string, version: string, detail = "") {
    super(`no model version ${JSON.stringify(version)} for location ${location}${detail}`);
    this.location = location;
    this.version = version;
  }
}

/** The version exists, but in another location than the one asked for. */
export class WrongLocationError extends Error {
  override name = "WrongLocationError";
  readonly version: string;
  readonly location: string;
  readonly actualLocations: readonly string[];
  constructor(version: string, location: string, actualLocations: readonly string[]) {
    super(
      `model version ${JSON.stringify(version)} belongs to location ${actualLocations.join(", ")}, not ${location}: a version serves only the location it was trained for`,
    );
    this.version = version;
    this.location = location;
    this.actualLocations = actualLocations;
  }
}

/** The run cannot become a version (not succeeded, no holdout metrics, missing artifacts, registered already). */
export class RegistrationError extends Error {
  override name = "RegistrationError";
}

/** The alias moved between reading it and moving it (another writer): nothing was changed. */
export class AliasConflictError extends Error {
  override name = "AliasConflictError";
}

/** The promotion or rollback asked for is not possible (already production, nothing to roll back to). */
export class PromotionError extends Error {
  override name = "PromotionError";
}

/** The gate was called with inputs that cannot be compared (another window, bad numbers, bad policy). */
export class GateInputError extends Error {
  override name = "GateInputError";
}

/** There is a production version, so the gate needs its RMSE on the candidate's holdout window. */
export class ProductionRescoreRequiredError extends GateInputError {
  override name = "ProductionRescoreRequiredError";
}
