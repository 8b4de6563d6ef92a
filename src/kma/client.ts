// KMA open-API client on the standard fetch: VilageFcstInfoService_2.0 (getUltraSrtNcst,
// getUltraSrtFcst, getVilageFcst) and AsosHourlyInfoService (getWthrDataList). Runs unchanged on
// Workers, Node and Deno. Everything time- or chance-dependent is injectable for tests.
//
// Each call: choose base date/time (KST) from the publication schedule unless given, request page 1,
// read totalCount, request the remaining pages, validate every page (zod), parse values by KMA's rules,
// and return typed records together with every raw page as received. Failures become KmaError with a
// `kind`; rate limits, KMA service faults, HTTP 5xx, HTML pages or truncated JSON instead of data,
// timeouts and network errors are retried with
// exponential backoff and full jitter. The service key is percent-encoded exactly once on the wire and
// never appears in logs, errors or returned data.
import { isOnGrid } from "../locations/kma-grid.ts";
import type { Clock } from "../ports/clock.ts";
import { systemClock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import { silentLogger } from "../ports/logger.ts";
import { KmaError, oneLine } from "./errors.ts";
import { formatKstDate, formatKstHour } from "../time/kst.ts";
import { ItemError, asosRecords, forecastRecords, nowcastRecords } from "./records.ts";
import type { AsosHourlyObservation, ForecastRecord } from "./records.ts";
import { defaultSleep, withRetry } from "../retry/policy.ts";
import type { RetryPolicy } from "../retry/policy.ts";
import { interpretResponse } from "./response.ts";
import type { HttpResponseText } from "./response.ts";
import { latestAsosHour, latestBase, validateBase } from "./schedule.ts";
import type { BaseDateTime, ForecastProduct } from "./schedule.ts";
import type { KmaPageBody } from "./schemas.ts";
import { encodeServiceKey, normalizeServiceKey, redactSecret } from "./service-key.ts";

/** Base and cap of the wait between attempts (full jitter, see src/retry/policy.ts). */
export type BackoffOptions = Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">;
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { baseDelayMs: 500, maxDelayMs: 30_000 };

export const DEFAULT_KMA_BASE_URL = "http://apis.data.go.kr/1360000";

export type KmaOperation = "getUltraSrtNcst" | "getUltraSrtFcst" | "getVilageFcst" | "getWthrDataList";

export const OPERATION_PATHS: Readonly<Record<KmaOperation, string>> = {
  getUltraSrtNcst: "VilageFcstInfoService_2.0/getUltraSrtNcst",
  getUltraSrtFcst: "VilageFcstInfoService_2.0/getUltraSrtFcst",
  getVilageFcst: "VilageFcstInfoService_2.0/getVilageFcst",
  getWthrDataList: "AsosHourlyInfoService/getWthrDataList",
};

const PRODUCT_OF: Readonly<Record<Exclude<KmaOperation, "getWthrDataList">, ForecastProduct>> = {
  getUltraSrtNcst: "ultraSrtNcst",
  getUltraSrtFcst: "ultraSrtFcst",
  getVilageFcst: "vilageFcst",
};

/** The subset of `fetch` the client uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface KmaClientOptions {
  /** data.go.kr service key, "Encoding" (percent-encoded) or "Decoding" form. */
  serviceKey: string;
  /** Default http://apis.data.go.kr/1360000 (the CLI passes env KMA_BASE_URL). */
  baseUrl?: string;
  fetch?: FetchLike;
  clock?: Clock;
  logger?: Logger;
  /** Waits between attempts; rejects when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) source for the jitter. */
  random?: () => number;
  /** Per attempt, covering headers and body. Default 10 000. */
  timeoutMs?: number;
  /** Attempts per page including the first. Default 4. */
  maxAttempts?: number;
  backoff?: Partial<BackoffOptions>;
  /** Page size for VilageFcstInfoService. Default 1000. */
  numOfRows?: number;
  /** Page size for ASOS, 1..999. Default 999. */
  asosNumOfRows?: number;
  /** Refuse calls that would need more pages than this. Default 50. */
  maxPages?: number;
  /** Minutes after base time an issue is fetchable, per product (defaults in schedule.ts). */
  availableAfterMinutes?: Partial<Record<ForecastProduct, number>>;
}

/** One HTTP response exactly as received (the service key, should KMA echo it, replaced by ***). */
export interface RawPage {
  pageNo: number;
  /** Request URL with the key replaced by ***. */
  url: string;
  status: number;
  contentType: string;
  body: string;
  /** UTC ISO 8601 (from the injected clock). */
  receivedAt: string;
  /** Attempts it took (1 = first try). */
  attempts: number;
}

export interface KmaFetchResult<R> {
  operation: KmaOperation;
  records: R[];
  totalCount: number;
  /** Every page in order, for storing payloads as received. */
  pages: RawPage[];
  /** Request parameters other than serviceKey/pageNo/numOfRows. */
  params: Record<string, string>;
}

export interface ForecastFetchResult extends KmaFetchResult<ForecastRecord> {
  base: BaseDateTime;
  nx: number;
  ny: number;
}

export interface AsosFetchResult extends KmaFetchResult<AsosHourlyObservation> {
  stationId: number;
  /** Requested range, UTC ISO 8601, inclusive. */
  from: string;
  to: string;
}

export interface ForecastRequest {
  nx: number;
  ny: number;
  /** Explicit issue; default: the newest one available at `at` (or the clock's now). */
  base?: Pick<BaseDateTime, "baseDate" | "baseTime">;
  at?: Date;
  numOfRows?: number;
  signal?: AbortSignal;
}

export interface AsosRequest {
  /** ASOS station number, e.g. 108 (Seoul). */
  stationId: number;
  /** First and last observation hour, UTC instants on the hour, inclusive. */
  from: Date;
  to: Date;
  numOfRows?: number;
  signal?: AbortSignal;
}

/** The exact wire URL: serviceKey (already encoded once) first, other parameters percent-encoded. */
export function buildKmaUrl(baseUrl: string, operation: KmaOperation, encodedKey: string, params: readonly (readonly [string, string])[]): string {
  const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  return `${baseUrl.replace(/\/+$/, "")}/${OPERATION_PATHS[operation]}?serviceKey=${encodedKey}${query ? `&${query}` : ""}`;
}

function positiveInt(name: string, v: number, max?: number): number {
  if (!Number.isInteger(v) || v < 1 || (max !== undefined && v > max)) {
    throw new KmaError(`${name} must be an integer ${max !== undefined ? `1..${max}` : ">= 1"}, got ${v}`, { kind: "invalid-argument" });
  }
  return v;
}

function describeNetworkError(e: unknown): string {
  const parts: string[] = [];
  let x: unknown = e;
  for (let depth = 0; x && depth < 4; depth++) {
    const err = x as { name?: string; message?: string; code?: string; cause?: unknown };
    const text = [err.code, err.message].filter(Boolean).join(": ");
    if (text && !parts.includes(text)) parts.push(text);
    x = err.cause;
  }
  return parts.join(" <- ") || String(e);
}

export class KmaClient {
  readonly baseUrl: string;
  private readonly key: string;
  private readonly encodedKey: string;
  private readonly doFetch: FetchLike;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly numOfRows: number;
  private readonly asosNumOfRows: number;
  private readonly maxPages: number;
  private readonly availableAfterMinutes: Partial<Record<ForecastProduct, number>>;

  constructor(options: KmaClientOptions) {
    this.key = normalizeServiceKey(options.serviceKey);
    this.encodedKey = encodeServiceKey(this.key);
    const baseUrl = (options.baseUrl ?? DEFAULT_KMA_BASE_URL).trim();
    let parsed: URL;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw new KmaError(`KMA base URL is not a URL: "${oneLine(this.redact(baseUrl), 200)}"`, { kind: "invalid-argument" });
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new KmaError(`KMA base URL must be http or https, got ${parsed.protocol}`, { kind: "invalid-argument" });
    }
    if (parsed.search || parsed.hash) throw new KmaError("KMA base URL must not have a query or fragment", { kind: "invalid-argument" });
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    const impl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
    this.doFetch = (url, init) => impl(url, init); // never call a host fetch with `this` = the client
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.timeoutMs = positiveInt("timeoutMs", options.timeoutMs ?? 10_000);
    this.maxAttempts = positiveInt("maxAttempts", options.maxAttempts ?? 4, 20);
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    if (!(this.backoff.baseDelayMs >= 0) || !(this.backoff.maxDelayMs >= 0)) {
      throw new KmaError("backoff delays must be >= 0 ms", { kind: "invalid-argument" });
    }
    this.numOfRows = positiveInt("numOfRows", options.numOfRows ?? 1000, 10_000);
    this.asosNumOfRows = positiveInt("asosNumOfRows", options.asosNumOfRows ?? 999, 999);
    this.maxPages = positiveInt("maxPages", options.maxPages ?? 50);
    this.availableAfterMinutes = options.availableAfterMinutes ?? {};
  }

  /** Removes the service key (every encoding of it) from text. */
  redact(text: string): string {
    return redactSecret(text, this.key);
  }

  /** Current observations (초단기실황) at the grid point, hourly base HH00. */
  getUltraSrtNcst(request: ForecastRequest): Promise<ForecastFetchResult> {
    return this.forecast("getUltraSrtNcst", request);
  }

  /** Ultra-short-term forecast (초단기예보), base HH30, next 6 hours. */
  getUltraSrtFcst(request: ForecastRequest): Promise<ForecastFetchResult> {
    return this.forecast("getUltraSrtFcst", request);
  }

  /** Short-term forecast (단기예보), base 0200..2300 every 3 h. */
  getVilageFcst(request: ForecastRequest): Promise<ForecastFetchResult> {
    return this.forecast("getVilageFcst", request);
  }

  /** ASOS hourly observations (종관기상관측 시간자료) of one station, `from`..`to` inclusive, up to yesterday KST. */
  async getWthrDataList(request: AsosRequest): Promise<AsosFetchResult> {
    const { stationId, from, to } = request;
    positiveInt("stationId", stationId, 9999);
    for (const [name, d] of [
      ["from", from],
      ["to", to],
    ] as const) {
      if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new KmaError(`ASOS ${name} is not a valid date`, { kind: "invalid-argument" });
      if (d.getTime() % 3_600_000 !== 0) throw new KmaError(`ASOS ${name} must be on the hour, got ${d.toISOString()}`, { kind: "invalid-argument" });
    }
    if (from.getTime() > to.getTime()) {
      throw new KmaError(`ASOS from ${from.toISOString()} is after to ${to.toISOString()}`, { kind: "invalid-argument" });
    }
    const latest = latestAsosHour(this.clock.now());
    if (to.getTime() > latest.getTime()) {
      throw new KmaError(
        `ASOS hourly data is served only up to yesterday (KST): to ${to.toISOString()} is after ${latest.toISOString()} (yesterday 23:00 KST)`,
        { kind: "invalid-argument" },
      );
    }
    const numOfRows = positiveInt("numOfRows (ASOS)", request.numOfRows ?? this.asosNumOfRows, 999);
    const params: [string, string][] = [
      ["dataType", "JSON"],
      ["dataCd", "ASOS"],
      ["dateCd", "HR"],
      ["startDt", formatKstDate(from)],
      ["startHh", formatKstHour(from)],
      ["endDt", formatKstDate(to)],
      ["endHh", formatKstHour(to)],
      ["stnIds", String(stationId)],
    ];
    const { items, pages, totalCount } = await this.fetchAllPages("getWthrDataList", params, numOfRows, request.signal);
    const records = this.toRecords("getWthrDataList", pages, () => asosRecords(items, stationId));
    return {
      operation: "getWthrDataList",
      records,
      totalCount,
      pages,
      params: Object.fromEntries(params),
      stationId,
      from: from.toISOString(),
      to: to.toISOString(),
    };
  }

  private async forecast(operation: Exclude<KmaOperation, "getWthrDataList">, request: ForecastRequest): Promise<ForecastFetchResult> {
    const product = PRODUCT_OF[operation];
    const { nx, ny } = request;
    if (!isOnGrid(nx, ny)) {
      throw new KmaError(`${operation}: grid point nx=${nx} ny=${ny} is not on the KMA grid (nx 1..149, ny 1..253)`, { kind: "invalid-argument" });
    }
    let base: BaseDateTime;
    try {
      if (request.base) {
        base = { ...request.base, issuedAt: validateBase(product, request.base) };
      } else {
        const lag = this.availableAfterMinutes[product];
        base = latestBase(product, request.at ?? this.clock.now(), lag !== undefined ? { availableAfterMinutes: lag } : {});
      }
    } catch (e) {
      if (e instanceof KmaError) throw e;
      throw new KmaError(`${operation}: ${(e as Error).message}`, { kind: "invalid-argument" });
    }
    const numOfRows = positiveInt("numOfRows", request.numOfRows ?? this.numOfRows, 10_000);
    const params: [string, string][] = [
      ["dataType", "JSON"],
      ["base_date", base.baseDate],
      ["base_time", base.baseTime],
      ["nx", String(nx)],
      ["ny", String(ny)],
    ];
    const { items, pages, totalCount } = await this.fetchAllPages(operation, params, numOfRows, request.signal);
    const expected = { nx, ny, baseDate: base.baseDate, baseTime: base.baseTime };
    const records = this.toRecords(operation, pages, () =>
      operation === "getUltraSrtNcst" ? nowcastRecords(items, expected) : forecastRecords(product as "vilageFcst" | "ultraSrtFcst", items, expected),
    );
    return { operation, records, totalCount, pages, params: Object.fromEntries(params), base, nx, ny };
  }

  private toRecords<R>(operation: KmaOperation, pages: RawPage[], build: () => R[]): R[] {
    try {
      return build();
    } catch (e) {
      if (e instanceof ItemError || e instanceof RangeError) {
        throw new KmaError(this.redact(`${operation}: ${e.message}`), { kind: "invalid-response", operation, url: pages[0]?.url ?? "" });
      }
      throw e;
    }
  }

  private async fetchAllPages(
    operation: KmaOperation,
    params: readonly [string, string][],
    numOfRows: number,
    signal: AbortSignal | undefined,
  ): Promise<{ items: unknown[]; pages: RawPage[]; totalCount: number }> {
    const first = await this.fetchPage(operation, params, 1, numOfRows, signal);
    const totalCount = first.body.totalCount;
    const pageCount = Math.max(1, Math.ceil(totalCount / numOfRows));
    if (pageCount > this.maxPages) {
      throw new KmaError(`${operation}: totalCount ${totalCount} needs ${pageCount} pages of ${numOfRows}, more than maxPages ${this.maxPages}`, {
        kind: "invalid-argument",
        operation,
        url: first.raw.url,
      });
    }
    const items = [...first.body.items];
    const pages = [first.raw];
    for (let pageNo = 2; pageNo <= pageCount; pageNo++) {
      const next = await this.fetchPage(operation, params, pageNo, numOfRows, signal);
      if (next.body.totalCount !== totalCount) {
        throw new KmaError(`${operation}: totalCount changed from ${totalCount} to ${next.body.totalCount} between pages (data was updated while paging)`, {
          kind: "invalid-response",
          operation,
          url: next.raw.url,
        });
      }
      items.push(...next.body.items);
      pages.push(next.raw);
    }
    if (items.length !== totalCount) {
      throw new KmaError(`${operation}: got ${items.length} items in ${pages.length} page(s) but totalCount is ${totalCount}`, {
        kind: "invalid-response",
        operation,
        url: pages[pages.length - 1]!.url,
      });
    }
    this.logger.info("kma fetched", { operation, pages: pages.length, items: items.length, totalCount });
    return { items, pages, totalCount };
  }

  private async fetchPage(
    operation: KmaOperation,
    params: readonly [string, string][],
    pageNo: number,
    numOfRows: number,
    signal: AbortSignal | undefined,
  ): Promise<{ body: KmaPageBody; raw: RawPage }> {
    const url = buildKmaUrl(this.baseUrl, operation, this.encodedKey, [["pageNo", String(pageNo)], ["numOfRows", String(numOfRows)], ...params]);
    const shownUrl = this.redact(url);
    const ctx = { operation, url: shownUrl, redact: (t: string) => this.redact(t) };
    const policy: RetryPolicy = {
      attempts: this.maxAttempts,
      ...this.backoff,
      jitter: "full",
      retryable: (e) => e instanceof KmaError && e.retryable,
    };
    let last: KmaError | undefined;
    const logFailure = (error: KmaError, attempt: number, delayMs?: number) =>
      this.logger.warn(delayMs !== undefined ? "kma request failed, retrying" : "kma request failed", {
        operation,
        url: shownUrl,
        pageNo,
        attempt,
        maxAttempts: this.maxAttempts,
        kind: error.kind,
        ...(error.resultCode ? { resultCode: error.resultCode } : {}),
        ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
        error: error.message,
        ...(delayMs !== undefined ? { delayMs } : {}),
      });
    return withRetry(
      async (attempt) => {
        this.logger.debug("kma request", { operation, url: shownUrl, pageNo, attempt });
        try {
          const res = await this.fetchOnce(url, operation, shownUrl, signal);
          const body = interpretResponse(res, ctx);
          if (body.pageNo !== pageNo) {
            throw new KmaError(`${operation}: asked for page ${pageNo} but got page ${body.pageNo}`, { kind: "invalid-response", operation, url: shownUrl });
          }
          const raw: RawPage = {
            pageNo,
            url: shownUrl,
            status: res.status,
            contentType: res.contentType,
            body: this.redact(res.text),
            receivedAt: this.clock.now().toISOString(),
            attempts: attempt,
          };
          return { body, raw };
        } catch (e) {
          const error =
            e instanceof KmaError
              ? e
              : new KmaError(this.redact(`${operation}: ${String((e as Error)?.message ?? e)}`), { kind: "invalid-response", operation, url: shownUrl });
          error.attempts = attempt;
          last = error;
          if (!(error.retryable && attempt < this.maxAttempts)) logFailure(error, attempt);
          throw error;
        }
      },
      policy,
      {
        random: this.random,
        onRetry: ({ attempt, delayMs, error }) => logFailure(error as KmaError, attempt, delayMs),
        sleep: async (ms) => {
          try {
            await this.sleep(ms, signal);
          } catch {
            const attempt = last?.attempts ?? 0;
            throw new KmaError(`${operation}: aborted by the caller while waiting to retry (after ${attempt} attempt(s); last error: ${last?.kind})`, {
              kind: "aborted",
              operation,
              url: shownUrl,
              attempts: attempt,
            });
          }
        },
      },
    );
  }

  private async fetchOnce(url: string, operation: KmaOperation, shownUrl: string, signal: AbortSignal | undefined): Promise<HttpResponseText> {
    if (signal?.aborted) throw new KmaError(`${operation}: aborted by the caller before the request`, { kind: "aborted", operation, url: shownUrl });
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timeout after ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const res = await this.doFetch(url, { method: "GET", headers: { accept: "application/json" }, signal: controller.signal });
      const text = await res.text();
      return { status: res.status, contentType: res.headers.get("content-type") ?? "", text };
    } catch (e) {
      if (timedOut) {
        throw new KmaError(`${operation}: no complete response within ${this.timeoutMs} ms (timeout)`, { kind: "timeout", operation, url: shownUrl });
      }
      if (signal?.aborted) throw new KmaError(`${operation}: aborted by the caller`, { kind: "aborted", operation, url: shownUrl });
      const detail = this.redact(describeNetworkError(e));
      throw new KmaError(`${operation}: network error: ${detail}`, { kind: "network", operation, url: shownUrl, cause: new Error(detail) });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
