// Every way a KMA call can fail, as one error class with a `kind` the caller can branch on.
// Messages are one line, name the cause, and never contain the service key (callers pass redacted
// text; the constructor also flattens newlines).
import { oneLine } from "../errors/one-line.ts";

export type KmaErrorKind =
  /** resultCode 03 NO_DATA (with or without a body): nothing published for these parameters (yet). */
  | "no-data"
  /** resultCode 22 LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR, or HTTP 429. */
  | "rate-limited"
  /** resultCode 20/21/30/31/32/33: key not registered, expired, disabled, access denied, IP, unsigned. */
  | "auth"
  /** resultCode 10/11/12: invalid or missing request parameters, no such service. */
  | "bad-request"
  /** resultCode 01/02/04/05/99 or an unknown code: a fault on KMA's side. */
  | "service"
  /** HTTP 4xx/5xx whose body does not say more. */
  | "http"
  /** An HTML page instead of data (portal error or maintenance page). */
  | "html"
  /** The body is not valid JSON (truncated, empty, or another format). */
  | "invalid-json"
  /** JSON that does not have the shape of a KMA response, or values that break KMA's rules. */
  | "invalid-response"
  /** No complete response within the timeout. */
  | "timeout"
  /** Connection refused/reset, DNS failure, or the body stream broke. */
  | "network"
  /** The caller's AbortSignal fired. */
  | "aborted"
  /** The request was wrong before it was sent (bad dates, numOfRows out of range, bad key). */
  | "invalid-argument";

export interface KmaErrorDetails {
  kind: KmaErrorKind;
  /** Operation, e.g. "getVilageFcst". */
  operation?: string;
  /** KMA resultCode / gateway returnReasonCode, when the response carried one. */
  resultCode?: string;
  /** KMA resultMsg / returnAuthMsg. */
  resultMsg?: string;
  httpStatus?: number;
  /** Where the code came from: a JSON header, the XML gateway envelope, or an XML response header. */
  source?: "json" | "gateway-xml" | "xml";
  /** Attempts made, including the one that failed last. */
  attempts?: number;
  /** The request URL with the service key replaced by ***. */
  url?: string;
  /** Start of the response body (redacted, one line), for diagnosis. */
  bodySnippet?: string;
  cause?: unknown;
}

// An HTML page or a body that is not JSON (cut short, empty) on a 2xx answer is nearly always the
// data.go.kr gateway failing in front of KMA (maintenance page, dropped upstream): transient like a
// 5xx, so it is retried with the same budget.
const RETRYABLE_KINDS: ReadonlySet<KmaErrorKind> = new Set(["rate-limited", "service", "timeout", "network", "html", "invalid-json"]);

export class KmaError extends Error {
  override name = "KmaError";
  readonly kind: KmaErrorKind;
  readonly operation: string | undefined;
  readonly resultCode: string | undefined;
  readonly resultMsg: string | undefined;
  readonly httpStatus: number | undefined;
  readonly source: KmaErrorDetails["source"];
  attempts: number | undefined;
  readonly url: string | undefined;
  readonly bodySnippet: string | undefined;

  constructor(message: string, details: KmaErrorDetails) {
    super(oneLine(message), details.cause !== undefined ? { cause: details.cause } : undefined);
    this.kind = details.kind;
    this.operation = details.operation;
    this.resultCode = details.resultCode;
    this.resultMsg = details.resultMsg;
    this.httpStatus = details.httpStatus;
    this.source = details.source;
    this.attempts = details.attempts;
    this.url = details.url;
    this.bodySnippet = details.bodySnippet;
  }

  /** Whether trying again later can help: rate limit, KMA service faults, HTTP 5xx, HTML or non-JSON bodies, timeouts, network. */
  get retryable(): boolean {
    return isRetryable(this.kind, this.httpStatus);
  }
}

export function isRetryable(kind: KmaErrorKind, httpStatus?: number): boolean {
  if (RETRYABLE_KINDS.has(kind)) return true;
  return kind === "http" && httpStatus !== undefined && httpStatus >= 500;
}

export { oneLine };
