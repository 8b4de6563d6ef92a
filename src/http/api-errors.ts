// Every error answer of the API is JSON {"error": {"code", "message", "details"}} with the right HTTP
// status. Known failures map to 4xx/503 with a message that names the problem; anything else is a
// 500 "internal error" whose real message only goes to the log (redacted). Never a stack trace, never
// a secret.
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LocationError } from "../locations/locations.ts";
import { LocationLookupError } from "../locations/lookup.ts";
import { DatabaseUnavailableError } from "../ports/database.ts";
import { AliasConflictError, GateInputError, PromotionError, VersionNotFoundError, WrongLocationError } from "../registry/errors.ts";
import { InputsUnavailableError, ModelRefusedError, NoModelError, RegistryUnavailableError, ServingInputError } from "../serving/errors.ts";
import { JobUnavailableError } from "../serving/job-runners.ts";
import { ArtifactIntegrityError, RunNotFoundError, TrackingInputError } from "../tracking/errors.ts";

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

export function jsonError(code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, details: details ?? null } };
}

/** An error answer decided by a route. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly details: unknown;
  constructor(status: ContentfulStatusCode, code: string, message: string, details: unknown = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const HTTP_CODES: Readonly<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  408: "timeout",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "too_many_requests",
};

/** The status and body for any thrown value; `internal` is true for the 500 whose cause must be logged. */
export function toErrorResponse(e: unknown): { status: ContentfulStatusCode; body: ErrorBody; internal: boolean } {
  const r = (status: ContentfulStatusCode, code: string, message: string, details?: unknown) => ({
    status,
    body: jsonError(code, message, details),
    internal: false,
  });
  if (e instanceof ApiError) return r(e.status, e.code, e.message, e.details);
  if (e instanceof HTTPException) {
    const status = e.status as ContentfulStatusCode;
    if (status === 400 && /malformed json/i.test(e.message)) return r(400, "malformed_json", "the request body is not valid JSON");
    if (status === 413) return r(413, "payload_too_large", "the request body is too large");
    if (status === 415) return r(415, "unsupported_media_type", "send the request body as application/json");
    if (status >= 400 && status < 500) return r(status, HTTP_CODES[status] ?? "bad_request", e.message || "bad request");
    return { status: 500, body: jsonError("internal", "internal error"), internal: true };
  }
  if (e instanceof ServingInputError) return r(400, "invalid_request", e.message, e.details);
  if (e instanceof InputsUnavailableError) return r(409, e.kind === "stale" ? "stale_inputs" : "missing_inputs", e.message, e.details);
  if (e instanceof NoModelError) return r(503, "no_model", e.message, { location: e.location });
  if (e instanceof RegistryUnavailableError) return r(503, "unavailable", e.message);
  // the message names a server path: logged, not sent
  if (e instanceof DatabaseUnavailableError)
    return {
      status: 503,
      body: jsonError("database_unavailable", "the database is unavailable (its file was moved, deleted or replaced); see /healthz"),
      internal: true,
    };
  if (e instanceof ModelRefusedError) return r(409, "model_refused", e.message, { version: e.version, reason: e.reason });
  if (e instanceof VersionNotFoundError || e instanceof WrongLocationError || e instanceof RunNotFoundError) return r(404, "not_found", e.message);
  if (e instanceof LocationLookupError) return r(e.code === "no_station_data" ? 409 : 400, e.code, e.message, e.details);
  if (e instanceof LocationError) return r(404, "unknown_location", e.message);
  if (e instanceof PromotionError || e instanceof AliasConflictError) return r(409, "conflict", e.message);
  if (e instanceof ArtifactIntegrityError) return r(409, "artifact_integrity", e.message);
  if (e instanceof JobUnavailableError) return r(409, "job_unavailable", e.message);
  if (e instanceof GateInputError || e instanceof TrackingInputError) return r(400, "invalid_request", e.message);
  return { status: 500, body: jsonError("internal", "internal error"), internal: true };
}
