// Errors of the serving path. Each names the location / version concerned in one line; the HTTP layer
// maps them to statuses (src/http/api-errors.ts), so nothing here knows about HTTP.

/** Why a production model was not accepted. */
export type RefusalReason =
  /** model.txt or features.json is not in the object store. */
  | "missing"
  /** An artifact's SHA-256 is not the one the registry recorded. */
  | "checksum"
  /** The artifact is readable but not for this code (format, feature catalogue version, features, target). */
  | "incompatible"
  /** The artifact does not parse (LightGBM model text, features.json). */
  | "corrupt";

/** A production model was refused; the previous model (if any) keeps serving. */
export class ModelRefusedError extends Error {
  override name = "ModelRefusedError";
  readonly location: string;
  readonly version: string;
  readonly reason: RefusalReason;
  constructor(location: string, version: string, reason: RefusalReason, detail: string) {
    super(`production model ${version} of ${location} refused (${reason}): ${detail}`);
    this.location = location;
    this.version = version;
    this.reason = reason;
  }
}

/** No model can serve this location: none is promoted, or the promoted one was refused and none came before. */
export class NoModelError extends Error {
  override name = "NoModelError";
  readonly location: string;
  constructor(location: string, detail: string) {
    super(detail);
    this.location = location;
  }
}

/** The production pointer could not be read and no model is loaded yet. */
export class RegistryUnavailableError extends Error {
  override name = "RegistryUnavailableError";
}

/** The forecast's inputs are missing or too old (what is missing is in `details`). */
export class InputsUnavailableError extends Error {
  override name = "InputsUnavailableError";
  readonly kind: "missing" | "stale";
  readonly details: Record<string, unknown>;
  constructor(kind: "missing" | "stale", message: string, details: Record<string, unknown>) {
    super(message);
    this.kind = kind;
    this.details = details;
  }
}

/** A request to the serving layer was wrong (bad time, bad feature values): the caller's fault. */
export class ServingInputError extends Error {
  override name = "ServingInputError";
  readonly details: unknown;
  constructor(message: string, details: unknown = null) {
    super(message);
    this.details = details;
  }
}
