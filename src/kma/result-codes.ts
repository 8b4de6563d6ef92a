// KMA / data.go.kr result codes (단기예보 조회서비스 활용가이드, 에러 코드) and the error kind each maps to.
import type { KmaErrorKind } from "./errors.ts";

export const RESULT_CODES: Readonly<Record<string, { name: string; kind: KmaErrorKind | "ok" }>> = {
  "00": { name: "NORMAL_SERVICE", kind: "ok" },
  "01": { name: "APPLICATION_ERROR", kind: "service" },
  "02": { name: "DB_ERROR", kind: "service" },
  "03": { name: "NODATA_ERROR", kind: "no-data" },
  "04": { name: "HTTP_ERROR", kind: "service" },
  "05": { name: "SERVICETIME_OUT", kind: "service" },
  "10": { name: "INVALID_REQUEST_PARAMETER_ERROR", kind: "bad-request" },
  "11": { name: "NO_MANDATORY_REQUEST_PARAMETERS_ERROR", kind: "bad-request" },
  "12": { name: "NO_OPENAPI_SERVICE_ERROR", kind: "bad-request" },
  "20": { name: "SERVICE_ACCESS_DENIED_ERROR", kind: "auth" },
  "21": { name: "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR", kind: "auth" },
  "22": { name: "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", kind: "rate-limited" },
  "30": { name: "SERVICE_KEY_IS_NOT_REGISTERED_ERROR", kind: "auth" },
  "31": { name: "DEADLINE_HAS_EXPIRED_ERROR", kind: "auth" },
  "32": { name: "UNREGISTERED_IP_ERROR", kind: "auth" },
  "33": { name: "UNSIGNED_CALL_ERROR", kind: "auth" },
  "99": { name: "UNKNOWN_ERROR", kind: "service" },
};

/** '0', '00', ' 3 ' -> '00', '03'; anything non-numeric is returned trimmed. */
export function normalizeResultCode(code: string | number): string {
  const s = String(code).trim();
  return /^\d$/.test(s) ? `0${s}` : s;
}

/** The error kind for a (normalized) result code; unknown codes are KMA-side faults ("service"). */
export function kindForResultCode(code: string): KmaErrorKind | "ok" {
  return RESULT_CODES[code]?.kind ?? "service";
}
