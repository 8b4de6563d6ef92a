export { DEFAULT_KMA_BASE_URL, KmaClient, OPERATION_PATHS, buildKmaUrl } from "./client.ts";
export type {
  AsosFetchResult,
  AsosRequest,
  FetchLike,
  ForecastFetchResult,
  ForecastRequest,
  KmaClientOptions,
  KmaFetchResult,
  KmaOperation,
  RawPage,
} from "./client.ts";
export { KmaError, isRetryable } from "./errors.ts";
export type { KmaErrorDetails, KmaErrorKind } from "./errors.ts";
export { KST_OFFSET_MS, formatKstDate, formatKstHour, formatKstTime, kstDateTimeToUtc, kstParts, kstToUtc } from "../time/kst.ts";
export { ItemError, asosRecords, forecastRecords, nowcastRecords } from "./records.ts";
export type { AsosHourlyObservation, ForecastCategory, ForecastRecord } from "./records.ts";
export { interpretResponse, parseGatewayXml, parseXmlHeader } from "./response.ts";
export { RESULT_CODES, kindForResultCode, normalizeResultCode } from "./result-codes.ts";
export { DEFAULT_BACKOFF, backoffCeiling, defaultSleep, fullJitterDelay } from "./retry.ts";
export type { BackoffOptions } from "./retry.ts";
export { SCHEDULES, latestAsosHour, latestBase, previousBase, validateBase } from "./schedule.ts";
export type { BaseDateTime, ForecastProduct } from "./schedule.ts";
export { ASOS_NUMERIC_FIELDS, ASOS_TEXT_FIELDS } from "./schemas.ts";
export { encodeServiceKey, normalizeServiceKey, redactSecret, redactUrl } from "./service-key.ts";
export { isKmaMissing, parseAsosNumber, parseAsosText, parseForecastValue } from "./values.ts";
export type { ParsedValue, ValueFlag } from "./values.ts";
