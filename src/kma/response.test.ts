import { describe, expect, it } from "vitest";
import { KmaError } from "./errors.ts";
import type { KmaErrorKind } from "./errors.ts";
import { interpretResponse, parseGatewayXml, parseXmlHeader } from "./response.ts";

const KEY = "Tz3n+Kq8/WmX1vB7yR2+pL0dE5fG/hJ9sA4cN6oQ==";
const ctx = {
  operation: "getVilageFcst",
  url: "http://h/1360000/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=***&pageNo=1",
  redact: (t: string) => t.split(KEY).join("***"),
};
const JSON_CT = "application/json;charset=UTF-8";

function failure(status: number, contentType: string, text: string): KmaError {
  try {
    interpretResponse({ status, contentType, text }, ctx);
  } catch (e) {
    if (e instanceof KmaError) return e;
    throw e;
  }
  throw new Error("expected a KmaError");
}

const header = (code: string, msg: string) => JSON.stringify({ response: { header: { resultCode: code, resultMsg: msg } } });
const gateway = (code: string, auth: string) =>
  `<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n\t\t<returnAuthMsg>${auth}</returnAuthMsg>\n\t\t<returnReasonCode>${code}</returnReasonCode>\n\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>`;

describe("interpretResponse: success", () => {
  it("returns the validated body, accepting '0' and numeric strings", () => {
    const body = interpretResponse(
      {
        status: 200,
        contentType: JSON_CT,
        text: JSON.stringify({
          response: {
            header: { resultCode: "0", resultMsg: "NORMAL_SERVICE" },
            body: { dataType: "JSON", items: { item: [{ a: 1 }, { a: 2 }] }, pageNo: "1", numOfRows: 10, totalCount: "2" },
          },
        }),
      },
      ctx,
    );
    expect(body).toEqual({ dataType: "JSON", items: [{ a: 1 }, { a: 2 }], pageNo: 1, numOfRows: 10, totalCount: 2 });
  });

  it("accepts items '' (no items) and a single item object", () => {
    const mk = (items: unknown) =>
      JSON.stringify({ response: { header: { resultCode: "00", resultMsg: "" }, body: { items, pageNo: 1, numOfRows: 10, totalCount: 1 } } });
    expect(interpretResponse({ status: 200, contentType: JSON_CT, text: mk("") }, ctx).items).toEqual([]);
    expect(interpretResponse({ status: 200, contentType: JSON_CT, text: mk({ item: { a: 1 } }) }, ctx).items).toEqual([{ a: 1 }]);
  });
});

describe("interpretResponse: every failure form gets a kind", () => {
  const cases: { name: string; status: number; ct: string; text: string; kind: KmaErrorKind; code?: string; message: RegExp }[] = [
    { name: "NO_DATA without body", status: 200, ct: JSON_CT, text: header("03", "NO_DATA"), kind: "no-data", code: "03", message: /resultCode 03 NO_DATA/ },
    {
      name: "NO_DATA with body",
      status: 200,
      ct: JSON_CT,
      text: JSON.stringify({ response: { header: { resultCode: "03", resultMsg: "NO_DATA" }, body: { items: "", pageNo: 1, numOfRows: 10, totalCount: 0 } } }),
      kind: "no-data",
      code: "03",
      message: /NO_DATA/,
    },
    {
      name: "rate limit",
      status: 200,
      ct: JSON_CT,
      text: header("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"),
      kind: "rate-limited",
      code: "22",
      message: /resultCode 22/,
    },
    {
      name: "key not registered as JSON 403",
      status: 403,
      ct: JSON_CT,
      text: header("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"),
      kind: "auth",
      code: "30",
      message: /resultCode 30 SERVICE_KEY_IS_NOT_REGISTERED_ERROR \(HTTP 403\)/,
    },
    {
      name: "gateway XML key error",
      status: 200,
      ct: "text/xml;charset=UTF-8",
      text: gateway("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"),
      kind: "auth",
      code: "30",
      message: /data.go.kr gateway resultCode 30 SERVICE_KEY_IS_NOT_REGISTERED_ERROR: SERVICE ERROR/,
    },
    {
      name: "gateway XML quota",
      status: 200,
      ct: "text/xml",
      text: gateway("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"),
      kind: "rate-limited",
      code: "22",
      message: /gateway resultCode 22/,
    },
    {
      name: "gateway XML expired",
      status: 200,
      ct: "text/xml",
      text: gateway("31", "DEADLINE_HAS_EXPIRED_ERROR"),
      kind: "auth",
      code: "31",
      message: /31 DEADLINE_HAS_EXPIRED_ERROR/,
    },
    {
      name: "XML response header",
      status: 200,
      ct: "text/xml",
      text: "<response><header><resultCode>10</resultCode><resultMsg>INVALID_REQUEST_PARAMETER_ERROR</resultMsg></header></response>",
      kind: "bad-request",
      code: "10",
      message: /resultCode 10/,
    },
    {
      name: "XML with OK code",
      status: 200,
      ct: "text/xml",
      text: "<response><header><resultCode>00</resultCode><resultMsg>NORMAL_SERVICE</resultMsg></header><body/></response>",
      kind: "invalid-response",
      code: "00",
      message: /as XML although dataType=JSON/,
    },
    {
      name: "service error 01",
      status: 200,
      ct: JSON_CT,
      text: header("01", "APPLICATION_ERROR"),
      kind: "service",
      code: "01",
      message: /01 APPLICATION_ERROR/,
    },
    { name: "service error 99", status: 200, ct: JSON_CT, text: header("99", "UNKNOWN_ERROR"), kind: "service", code: "99", message: /99/ },
    { name: "unknown code", status: 200, ct: JSON_CT, text: header("77", ""), kind: "service", code: "77", message: /resultCode 77 unknown code/ },
    {
      name: "bad request 11",
      status: 200,
      ct: JSON_CT,
      text: header("11", "NO_MANDATORY_REQUEST_PARAMETERS_ERROR"),
      kind: "bad-request",
      code: "11",
      message: /11/,
    },
    {
      name: "HTML page at 200",
      status: 200,
      ct: "text/html",
      text: "<!DOCTYPE html><html><head><title>점검 중</title></head><body>x</body></html>",
      kind: "html",
      message: /HTML page titled "점검 중"/,
    },
    { name: "HTML page without content type", status: 200, ct: "", text: "  <html><body>oops</body></html>", kind: "html", message: /HTML page/ },
    {
      name: "HTML 502",
      status: 502,
      ct: "text/html",
      text: "<html><title>Bad Gateway</title></html>",
      kind: "http",
      message: /HTTP 502 \(an HTML page titled "Bad Gateway"/,
    },
    {
      name: "truncated JSON",
      status: 200,
      ct: JSON_CT,
      text: '{"response":{"header":{"resultCode":"00","resu',
      kind: "invalid-json",
      message: /truncated or invalid JSON \(\d+ chars\)/,
    },
    { name: "empty body", status: 200, ct: JSON_CT, text: "", kind: "invalid-json", message: /empty body/ },
    {
      name: "JSON of another shape",
      status: 200,
      ct: JSON_CT,
      text: '{"error":"x"}',
      kind: "invalid-response",
      message: /JSON is not a KMA response: response:/,
    },
    { name: "OK without body", status: 200, ct: JSON_CT, text: header("00", "NORMAL_SERVICE"), kind: "invalid-response", message: /no response.body/ },
    { name: "HTTP 500 plain", status: 500, ct: "text/plain", text: "Internal Server Error", kind: "http", message: /HTTP 500 \(body is not JSON\)/ },
    { name: "HTTP 503 empty", status: 503, ct: "", text: "", kind: "http", message: /HTTP 503 \(empty body\)/ },
    { name: "HTTP 404", status: 404, ct: "text/plain", text: "Not Found", kind: "http", message: /HTTP 404/ },
    { name: "HTTP 429", status: 429, ct: "text/plain", text: "slow down", kind: "rate-limited", message: /HTTP 429/ },
  ];

  it.each(cases)("$name", ({ status, ct, text, kind, code, message }) => {
    const e = failure(status, ct, text);
    expect(e.kind).toBe(kind);
    if (code) expect(e.resultCode).toBe(code);
    expect(e.httpStatus).toBe(status);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith("getVilageFcst: ")).toBe(true);
    expect(e.message).not.toContain("\n");
    expect(e.url).toBe(ctx.url);
  });

  it("marks exactly the retryable kinds as retryable", () => {
    expect(failure(200, JSON_CT, header("22", "x")).retryable).toBe(true);
    expect(failure(200, JSON_CT, header("01", "x")).retryable).toBe(true);
    expect(failure(200, JSON_CT, header("02", "x")).retryable).toBe(true);
    expect(failure(200, JSON_CT, header("04", "x")).retryable).toBe(true);
    expect(failure(200, JSON_CT, header("05", "x")).retryable).toBe(true);
    expect(failure(200, JSON_CT, header("99", "x")).retryable).toBe(true);
    expect(failure(500, "text/plain", "x").retryable).toBe(true);
    expect(failure(503, "text/html", "<html></html>").retryable).toBe(true);
    expect(failure(200, JSON_CT, header("03", "x")).retryable).toBe(false);
    for (const c of ["10", "11", "12", "20", "21", "30", "31", "32", "33"]) expect(failure(200, JSON_CT, header(c, "x")).retryable).toBe(false);
    expect(failure(404, "text/plain", "x").retryable).toBe(false);
    expect(failure(403, JSON_CT, header("30", "x")).retryable).toBe(false);
    // gateway faults in front of KMA: an HTML page, a cut-off or empty body (retried like a 5xx)
    expect(failure(200, "text/html", "<html></html>").retryable).toBe(true);
    expect(failure(200, JSON_CT, "{").retryable).toBe(true);
    expect(failure(200, JSON_CT, "").retryable).toBe(true);
    // JSON that is whole but not a KMA response is not transient
    expect(failure(200, JSON_CT, "{}").retryable).toBe(false);
  });

  it("redacts the key if a body echoes it", () => {
    const e = failure(200, "text/html", `<html><title>bad key ${KEY}</title></html>`);
    expect(e.message).not.toContain(KEY);
    expect(e.bodySnippet).not.toContain(KEY);
  });
});

describe("tiny XML readers", () => {
  it("read the gateway envelope fields", () => {
    expect(parseGatewayXml(gateway("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"))).toEqual({
      returnReasonCode: "30",
      returnAuthMsg: "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
      errMsg: "SERVICE ERROR",
    });
    expect(parseGatewayXml('{"response":{}}')).toBeNull();
    expect(parseXmlHeader("<response><header><resultCode>03</resultCode><resultMsg>NO_DATA</resultMsg></header></response>")).toEqual({
      resultCode: "03",
      resultMsg: "NO_DATA",
    });
    expect(parseXmlHeader("<response><body/></response>")).toBeNull();
  });

  it("stays fast on hostile input", () => {
    const t0 = Date.now();
    parseGatewayXml(`<OpenAPI_ServiceResponse>${"<errMsg>".repeat(20000)}`);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
