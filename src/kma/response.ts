// Turns one HTTP response from apis.data.go.kr into either a validated page body or a KmaError.
// Branches on the body, not only on the HTTP status: the gateway answers key/quota problems with
// HTTP 200 text/xml `OpenAPI_ServiceResponse` even when JSON was asked for, KMA reports NO_DATA and
// friends inside a 200 JSON header, key errors can come as JSON with 403, and proxies send HTML.
import { KmaError, oneLine } from "./errors.ts";
import type { KmaErrorKind } from "./errors.ts";
import { RESULT_CODES, kindForResultCode, normalizeResultCode } from "./result-codes.ts";
import { bodySchema, describeIssues, envelopeSchema } from "./schemas.ts";
import type { KmaPageBody } from "./schemas.ts";

export interface HttpResponseText {
  status: number;
  contentType: string;
  text: string;
}

export interface ResponseContext {
  operation: string;
  /** Redacted URL, for the error. */
  url: string;
  /** Removes the service key from any text. */
  redact: (text: string) => string;
}

/** The fields of a data.go.kr `<OpenAPI_ServiceResponse>` gateway envelope, or null if `text` is not one. */
export function parseGatewayXml(text: string): { returnReasonCode?: string; returnAuthMsg?: string; errMsg?: string } | null {
  if (!/<OpenAPI_ServiceResponse[\s>]/.test(text)) return null;
  return {
    ...optional("returnReasonCode", xmlTag(text, "returnReasonCode")),
    ...optional("returnAuthMsg", xmlTag(text, "returnAuthMsg")),
    ...optional("errMsg", xmlTag(text, "errMsg")),
  };
}

/** resultCode/resultMsg of a KMA XML `<response><header>` (what dataType=XML returns), or null. */
export function parseXmlHeader(text: string): { resultCode: string; resultMsg?: string } | null {
  if (!/<response[\s>]/.test(text)) return null;
  const code = xmlTag(text, "resultCode");
  if (code === undefined) return null;
  return { resultCode: code, ...optional("resultMsg", xmlTag(text, "resultMsg")) };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

// The text of the first <name>…</name>: a bounded, non-backtracking-heavy match on a fixed tag name.
function xmlTag(text: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]{0,500})</${name}>`).exec(text);
  if (!m) return undefined;
  return m[1]!
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}

function looksLikeHtml(contentType: string, text: string): boolean {
  return /text\/html/i.test(contentType) || /^\s*(?:<!doctype html|<html[\s>])/i.test(text);
}

function htmlTitle(text: string): string | undefined {
  const m = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(text);
  return m?.[1]?.trim() || undefined;
}

function errorForCode(
  code: string,
  msg: string | undefined,
  source: "json" | "gateway-xml" | "xml",
  res: HttpResponseText,
  ctx: ResponseContext,
  extra?: string,
): KmaError {
  const normalized = normalizeResultCode(code);
  const known = RESULT_CODES[normalized];
  let kind = kindForResultCode(normalized);
  let why = "";
  if (kind === "ok") {
    // "OK" in the gateway envelope or in XML although JSON was asked for: not usable data.
    kind = "invalid-response";
    why = " but as XML although dataType=JSON was requested";
  }
  const name = msg || known?.name || "unknown code";
  const where = source === "gateway-xml" ? "data.go.kr gateway" : "KMA";
  const http = res.status !== 200 ? ` (HTTP ${res.status})` : "";
  const tail = extra ? `: ${extra}` : "";
  return new KmaError(ctx.redact(`${ctx.operation}: ${where} resultCode ${normalized} ${name}${why}${http}${tail}`), {
    kind: kind as KmaErrorKind,
    operation: ctx.operation,
    resultCode: normalized,
    ...(msg ? { resultMsg: ctx.redact(msg) } : known ? { resultMsg: known.name } : {}),
    httpStatus: res.status,
    source,
    url: ctx.url,
    bodySnippet: snippet(res.text, ctx),
  });
}

function snippet(text: string, ctx: ResponseContext): string {
  return oneLine(ctx.redact(text.slice(0, 400)), 200);
}

function plainError(kind: KmaErrorKind, message: string, res: HttpResponseText, ctx: ResponseContext, cause?: unknown): KmaError {
  return new KmaError(ctx.redact(`${ctx.operation}: ${message}`), {
    kind,
    operation: ctx.operation,
    httpStatus: res.status,
    url: ctx.url,
    bodySnippet: snippet(res.text, ctx),
    ...(cause !== undefined ? { cause } : {}),
  });
}

function httpError(res: HttpResponseText, ctx: ResponseContext, what: string): KmaError {
  if (res.status === 429) return plainError("rate-limited", `HTTP 429 Too Many Requests (${what})`, res, ctx);
  return plainError("http", `HTTP ${res.status} (${what})`, res, ctx);
}

/** A validated page of a successful response; throws KmaError for every failure form. */
export function interpretResponse(res: HttpResponseText, ctx: ResponseContext): KmaPageBody {
  const text = res.text;
  const failed = res.status < 200 || res.status > 299;

  const gateway = parseGatewayXml(text);
  if (gateway) {
    const code = gateway.returnReasonCode;
    if (code !== undefined && /^\d{1,2}$/.test(code)) {
      return fail(errorForCode(code, gateway.returnAuthMsg, "gateway-xml", res, ctx, gateway.errMsg));
    }
    return fail(plainError("service", `data.go.kr gateway error without a reason code (${gateway.errMsg ?? "no errMsg"})`, res, ctx));
  }

  const xmlHeader = parseXmlHeader(text);
  if (xmlHeader && /^\d{1,2}$/.test(xmlHeader.resultCode)) {
    return fail(errorForCode(xmlHeader.resultCode, xmlHeader.resultMsg, "xml", res, ctx));
  }

  if (looksLikeHtml(res.contentType, text)) {
    const title = htmlTitle(text);
    const what = `an HTML page${title ? ` titled "${title}"` : ""} instead of JSON`;
    if (failed) return fail(httpError(res, ctx, what));
    return fail(plainError("html", `got ${what} (HTTP ${res.status}, content-type ${res.contentType || "none"})`, res, ctx));
  }

  if (text.trim() === "") {
    if (failed) return fail(httpError(res, ctx, "empty body"));
    return fail(plainError("invalid-json", `empty body (HTTP ${res.status}, content-type ${res.contentType || "none"})`, res, ctx));
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    if (failed) return fail(httpError(res, ctx, "body is not JSON"));
    const reason = e instanceof Error ? e.message : String(e);
    const trailing = /[}\]]\s*$/.test(text) ? "invalid" : "truncated or invalid";
    return fail(plainError("invalid-json", `${trailing} JSON (${text.length} chars): ${reason}`, res, ctx));
  }

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    if (failed) return fail(httpError(res, ctx, "JSON without a KMA header"));
    return fail(plainError("invalid-response", `JSON is not a KMA response: ${describeIssues(envelope.error)}`, res, ctx));
  }
  const { header, body } = envelope.data.response;
  if (header.resultCode !== "00") {
    return fail(errorForCode(header.resultCode, header.resultMsg, "json", res, ctx));
  }
  if (failed) return fail(httpError(res, ctx, "although the JSON header says resultCode 00"));
  if (body === undefined) {
    return fail(plainError("invalid-response", "resultCode 00 but no response.body", res, ctx));
  }
  const page = bodySchema.safeParse(body);
  if (!page.success) {
    return fail(plainError("invalid-response", `response.body is malformed: ${describeIssues(page.error)}`, res, ctx));
  }
  return page.data;
}

function fail(error: KmaError): never {
  throw error;
}
