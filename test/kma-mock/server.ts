// A local stand-in for apis.data.go.kr/1360000 (KMA open API) for tests: node:http on loopback, port 0.
//
// It serves the real item payloads from test/fixtures/kma wrapped in the guide's JSON envelope,
// honouring pageNo/numOfRows, checks the service key the way the data.go.kr gateway does (the query
// value is form-decoded once and must equal the key), and can be scripted to fail in every way the
// real service does. Policies that are the mock's own choice (not documented KMA behaviour) are
// marked "mock policy" below.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type MockOperation = "getUltraSrtNcst" | "getUltraSrtFcst" | "getVilageFcst" | "getWthrDataList";

const ROUTES: Record<string, MockOperation> = {
  "/1360000/VilageFcstInfoService_2.0/getUltraSrtNcst": "getUltraSrtNcst",
  "/1360000/VilageFcstInfoService_2.0/getUltraSrtFcst": "getUltraSrtFcst",
  "/1360000/VilageFcstInfoService_2.0/getVilageFcst": "getVilageFcst",
  "/1360000/AsosHourlyInfoService/getWthrDataList": "getWthrDataList",
};

const MANDATORY: Record<MockOperation, string[]> = {
  getUltraSrtNcst: ["base_date", "base_time", "nx", "ny"],
  getUltraSrtFcst: ["base_date", "base_time", "nx", "ny"],
  getVilageFcst: ["base_date", "base_time", "nx", "ny"],
  getWthrDataList: ["dataCd", "dateCd", "startDt", "startHh", "endDt", "endHh", "stnIds"],
};

/** One scripted behaviour for one request. */
export type KmaFault =
  /** Serve normally (use to let earlier pages through). */
  | { type: "ok" }
  /** resultCode 03 NO_DATA; `withBody` adds an empty body (items "", totalCount 0). */
  | { type: "no-data"; withBody?: boolean }
  /** A JSON header with this resultCode (22 rate limit, 01/02/04/05/99, 10/11/12, 20..33), optional HTTP status (e.g. 403). */
  | { type: "result-code"; code: string; msg?: string; httpStatus?: number }
  /** The data.go.kr gateway envelope, HTTP 200 text/xml by default. */
  | { type: "gateway-xml"; code: string; authMsg?: string; errMsg?: string; httpStatus?: number }
  /** A KMA XML `<response><header>` (what dataType=XML gives). */
  | { type: "xml-header"; code: string; msg?: string }
  /** An HTML page (portal error/maintenance page). */
  | { type: "html"; status?: number; title?: string }
  /** The normal JSON cut in half, sent as a complete HTTP response. */
  | { type: "truncated-json" }
  /** Any status with an optional body (500, 503, 429 ...). */
  | { type: "http-status"; status: number; body?: string; contentType?: string }
  /** Accept the request and never answer (until close()). */
  | { type: "hang" }
  /** Send headers and the first bytes of the body, then never finish. */
  | { type: "hang-body" }
  /** Destroy the connection without answering. */
  | { type: "reset" }
  /** Wait, then serve normally. */
  | { type: "delay"; ms: number };

export interface MockDataset {
  operation: MockOperation;
  /** Query parameters that must match exactly for this dataset to answer. */
  match: Record<string, string>;
  items: readonly unknown[];
  /** Further per-item filter (e.g. the ASOS time range). */
  filter?: (params: Record<string, string>, item: unknown) => boolean;
}

export interface MockRequest {
  /** Path and query exactly as received on the wire. */
  rawUrl: string;
  operation: MockOperation | null;
  /** Form-decoded query parameters. */
  params: Record<string, string>;
  /** Name of the key parameter as sent (serviceKey / ServiceKey), or null. */
  keyParam: string | null;
  keyOk: boolean;
  /** The scripted fault used for this request, if any. */
  fault: KmaFault["type"] | null;
}

export interface KmaMock {
  /** e.g. http://127.0.0.1:41234/1360000 */
  baseUrl: string;
  /** The decoded ("Decoding" form) key the mock accepts. */
  serviceKey: string;
  /** Every request received, in order. */
  requests: MockRequest[];
  /** Queue faults: each following request takes the next one; afterwards requests are served normally. */
  script(...faults: KmaFault[]): void;
  /** Faults not yet used. */
  pendingFaults(): number;
  /** Clears the request log and the fault queue. */
  reset(): void;
  close(): Promise<void>;
}

export interface KmaMockOptions {
  /** Decoded key to accept. Default: TEST_SERVICE_KEY. */
  serviceKey?: string;
  /** Replaces the default datasets (the real fixtures). */
  datasets?: MockDataset[];
  /** Added to the default datasets. */
  extraDatasets?: MockDataset[];
}

/** A made-up key in the shape of real data.go.kr keys (base64 with '+', '/', '='). Not a real key. */
export const TEST_SERVICE_KEY = "Tz3n+Kq8/WmX1vB7yR2+pL0dE5fG/hJ9sA4cN6oQ+uV8iY3tM1wZ0xD2bF7gH/kE5aS9nC4rP6qU8jW0lO3mI==";

const FIXTURES = new URL("../fixtures/kma/", import.meta.url);

function loadItems(file: string): unknown[] {
  const parsed = JSON.parse(readFileSync(new URL(file, FIXTURES), "utf8")) as { item: unknown[] };
  return parsed.item;
}

/** The real fixtures as mock datasets. */
export function defaultDatasets(): MockDataset[] {
  return [
    {
      operation: "getVilageFcst",
      match: { base_date: "20250529", base_time: "0200", nx: "60", ny: "127" },
      items: loadItems("getVilageFcst_20250529_0200_nx60_ny127.items.json"),
    },
    {
      operation: "getWthrDataList",
      match: { dataCd: "ASOS", dateCd: "HR", stnIds: "108" },
      items: loadItems("getWthrDataList_ASOS_108_20250430-20250529.items.json"),
      filter: (p, item) => {
        const tm = (item as { tm: string }).tm; // 'YYYY-MM-DD HH:mm', sorts as text
        const start = `${p.startDt!.slice(0, 4)}-${p.startDt!.slice(4, 6)}-${p.startDt!.slice(6, 8)} ${p.startHh}:00`;
        const end = `${p.endDt!.slice(0, 4)}-${p.endDt!.slice(4, 6)}-${p.endDt!.slice(6, 8)} ${p.endHh}:00`;
        return tm >= start && tm <= end;
      },
    },
  ];
}

/** Query string -> params, decoding like a servlet container: '+' is a space, %XX once. */
export function parseQuery(query: string): { params: Record<string, string>; keyParam: string | null } {
  const params: Record<string, string> = {};
  let keyParam: string | null = null;
  for (const part of query.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? "" : part.slice(eq + 1);
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        return s;
      }
    };
    const name = decode(rawName);
    if (name.toLowerCase() === "servicekey") keyParam = name;
    params[name] = decode(rawValue);
  }
  return { params, keyParam };
}

const json = (value: unknown) => JSON.stringify(value);

function okEnvelope(items: readonly unknown[], pageNo: number, numOfRows: number, totalCount: number): string {
  return json({
    response: {
      header: { resultCode: "00", resultMsg: "NORMAL_SERVICE" },
      body: { dataType: "JSON", items: { item: items }, pageNo, numOfRows, totalCount },
    },
  });
}

function headerOnly(code: string, msg: string): string {
  return json({ response: { header: { resultCode: code, resultMsg: msg } } });
}

export function gatewayXml(code: string, authMsg: string, errMsg = "SERVICE ERROR"): string {
  return (
    "<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n" +
    `\t\t<errMsg>${errMsg}</errMsg>\n\t\t<returnAuthMsg>${authMsg}</returnAuthMsg>\n\t\t<returnReasonCode>${code}</returnReasonCode>\n` +
    "\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>"
  );
}

const CODE_NAMES: Record<string, string> = {
  "01": "APPLICATION_ERROR",
  "02": "DB_ERROR",
  "03": "NO_DATA",
  "04": "HTTP_ERROR",
  "05": "SERVICETIME_OUT",
  "10": "INVALID_REQUEST_PARAMETER_ERROR",
  "11": "NO_MANDATORY_REQUEST_PARAMETERS_ERROR",
  "12": "NO_OPENAPI_SERVICE_ERROR",
  "20": "SERVICE_ACCESS_DENIED_ERROR",
  "21": "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR",
  "22": "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR",
  "30": "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
  "31": "DEADLINE_HAS_EXPIRED_ERROR",
  "32": "UNREGISTERED_IP_ERROR",
  "33": "UNSIGNED_CALL_ERROR",
  "99": "UNKNOWN_ERROR",
};

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

const JSON_TYPE = "application/json;charset=UTF-8";
const XML_TYPE = "text/xml;charset=UTF-8";

export async function startKmaMock(options: KmaMockOptions = {}): Promise<KmaMock> {
  const serviceKey = options.serviceKey ?? TEST_SERVICE_KEY;
  const datasets = [...(options.datasets ?? defaultDatasets()), ...(options.extraDatasets ?? [])];
  const requests: MockRequest[] = [];
  let faults: KmaFault[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  function normalReply(operation: MockOperation, params: Record<string, string>): Reply {
    if ((params.dataType ?? "XML").toUpperCase() !== "JSON") {
      // mock policy: only the JSON form is implemented.
      return { status: 501, contentType: "text/plain", body: "kma mock implements dataType=JSON only" };
    }
    const missing = MANDATORY[operation].filter((p) => !params[p]);
    if (missing.length) return { status: 200, contentType: JSON_TYPE, body: headerOnly("11", CODE_NAMES["11"]!) }; // mock policy: code 11
    const pageNo = Number(params.pageNo ?? "1");
    const numOfRows = Number(params.numOfRows ?? "10");
    if (!Number.isInteger(pageNo) || pageNo < 1 || !Number.isInteger(numOfRows) || numOfRows < 1) {
      return { status: 200, contentType: JSON_TYPE, body: headerOnly("10", CODE_NAMES["10"]!) };
    }
    const dataset = datasets.find((d) => d.operation === operation && Object.entries(d.match).every(([k, v]) => params[k] === v));
    const items = dataset ? dataset.items.filter((it) => (dataset.filter ? dataset.filter(params, it) : true)) : [];
    const start = (pageNo - 1) * numOfRows;
    if (items.length === 0 || start >= items.length) {
      return { status: 200, contentType: JSON_TYPE, body: headerOnly("03", CODE_NAMES["03"]!) };
    }
    return { status: 200, contentType: JSON_TYPE, body: okEnvelope(items.slice(start, start + numOfRows), pageNo, numOfRows, items.length) };
  }

  function faultReply(fault: KmaFault, operation: MockOperation, params: Record<string, string>): Reply | null {
    switch (fault.type) {
      case "ok":
      case "delay":
        return normalReply(operation, params);
      case "no-data":
        return {
          status: 200,
          contentType: JSON_TYPE,
          body: fault.withBody
            ? json({
                response: {
                  header: { resultCode: "03", resultMsg: "NO_DATA" },
                  body: { dataType: "JSON", items: "", pageNo: Number(params.pageNo ?? 1), numOfRows: Number(params.numOfRows ?? 10), totalCount: 0 },
                },
              })
            : headerOnly("03", "NO_DATA"),
        };
      case "result-code":
        return { status: fault.httpStatus ?? 200, contentType: JSON_TYPE, body: headerOnly(fault.code, fault.msg ?? CODE_NAMES[fault.code] ?? "ERROR") };
      case "gateway-xml":
        return {
          status: fault.httpStatus ?? 200,
          contentType: XML_TYPE,
          body: gatewayXml(fault.code, fault.authMsg ?? CODE_NAMES[fault.code] ?? "UNKNOWN_ERROR", fault.errMsg),
        };
      case "xml-header":
        return {
          status: 200,
          contentType: XML_TYPE,
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<response><header><resultCode>${fault.code}</resultCode><resultMsg>${fault.msg ?? CODE_NAMES[fault.code] ?? "ERROR"}</resultMsg></header></response>`,
        };
      case "html":
        return {
          status: fault.status ?? 200,
          contentType: "text/html;charset=UTF-8",
          body: `<!DOCTYPE html>\n<html><head><title>${fault.title ?? "공공데이터포털 - 서비스 점검"}</title></head>\n<body><h1>Service unavailable</h1></body></html>`,
        };
      case "truncated-json": {
        const full = normalReply(operation, params);
        return { ...full, body: full.body.slice(0, Math.max(1, Math.floor(full.body.length / 2))) };
      }
      case "http-status":
        return { status: fault.status, contentType: fault.contentType ?? "text/plain", body: fault.body ?? "" };
      case "hang":
      case "hang-body":
      case "reset":
        return null;
    }
  }

  function send(res: ServerResponse, reply: Reply): void {
    const body = Buffer.from(reply.body, "utf8");
    res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": String(body.length) });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const { params, keyParam } = parseQuery(q < 0 ? "" : rawUrl.slice(q + 1));
    const operation = ROUTES[path] ?? null;
    const keyOk = keyParam !== null && params[keyParam] === serviceKey;
    const fault = faults.shift() ?? null;
    requests.push({ rawUrl, operation, params, keyParam, keyOk, fault: fault?.type ?? null });

    if (fault?.type === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.type === "hang") {
      hanging.add(res);
      return;
    }
    if (fault?.type === "hang-body") {
      hanging.add(res);
      res.writeHead(200, { "content-type": JSON_TYPE, "content-length": "100000" });
      res.write('{"response":{"header":{"resultCode":"00"');
      return;
    }
    if (fault?.type === "delay") await new Promise((r) => setTimeout(r, fault.ms));

    if (!operation) {
      // mock policy: unknown service path -> gateway code 12.
      return send(res, { status: 200, contentType: XML_TYPE, body: gatewayXml("12", CODE_NAMES["12"]!) });
    }
    if (!keyOk) {
      // The gateway answers an unknown/mis-encoded key with HTTP 200 text/xml, code 30.
      return send(res, { status: 200, contentType: XML_TYPE, body: gatewayXml("30", CODE_NAMES["30"]!) });
    }
    send(res, (fault ? faultReply(fault, operation, params) : null) ?? normalReply(operation, params));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, { status: 500, contentType: "text/plain", body: `kma mock failed: ${String(e)}` });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/1360000`,
    serviceKey,
    requests,
    script: (...f) => void faults.push(...f),
    pendingFaults: () => faults.length,
    reset: () => {
      requests.length = 0;
      faults = [];
    },
    close: async () => {
      for (const r of hanging) r.destroy();
      hanging.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
