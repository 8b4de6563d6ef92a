// End-to-end: KmaClient over real HTTP (Node fetch) against the KMA mock server, for the real
// payloads and for every failure class. Every test also checks that the service key appears in no
// error message, error field, log record or returned data.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import asosFixture from "../../test/fixtures/kma/getWthrDataList_ASOS_108_20250430-20250529.items.json" with { type: "json" };
import vilageFixture from "../../test/fixtures/kma/getVilageFcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import { TEST_SERVICE_KEY, startKmaMock } from "../../test/kma-mock/server.ts";
import type { KmaFault, KmaMock } from "../../test/kma-mock/server.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import { KmaClient } from "./client.ts";
import type { KmaClientOptions } from "./client.ts";
import { KmaError } from "./errors.ts";
import type { KmaErrorKind } from "./errors.ts";

const ENCODED = encodeURIComponent(TEST_SERVICE_KEY);
const KEY_FORMS = [
  TEST_SERVICE_KEY,
  ENCODED,
  encodeURIComponent(ENCODED),
  TEST_SERVICE_KEY.replace(/\+/g, " "),
  TEST_SERVICE_KEY.slice(0, 12),
  ENCODED.slice(0, 14),
];
const BASE = { baseDate: "20250529", baseTime: "0200" };

// Hand-written items in the guide's ultra-short shapes: there is no real payload for these operations.
const NCST_ITEMS = [
  { baseDate: "20250529", baseTime: "1400", category: "T1H", nx: 60, ny: 127, obsrValue: "24.1" },
  { baseDate: "20250529", baseTime: "1400", category: "RN1", nx: 60, ny: 127, obsrValue: "0" },
  { baseDate: "20250529", baseTime: "1400", category: "REH", nx: 60, ny: 127, obsrValue: "45" },
];
const FCST_ITEMS = [
  { baseDate: "20250529", baseTime: "1430", category: "T1H", fcstDate: "20250529", fcstTime: "1500", fcstValue: "24", nx: 60, ny: 127 },
  { baseDate: "20250529", baseTime: "1430", category: "RN1", fcstDate: "20250529", fcstTime: "1500", fcstValue: "1mm 미만", nx: 60, ny: 127 },
  { baseDate: "20250529", baseTime: "1430", category: "RN1", fcstDate: "20250529", fcstTime: "1600", fcstValue: "30.0~50.0mm", nx: 60, ny: 127 },
];

let mock: KmaMock;

beforeAll(async () => {
  mock = await startKmaMock({
    extraDatasets: [
      { operation: "getUltraSrtNcst", match: { base_date: "20250529", base_time: "1400", nx: "60", ny: "127" }, items: NCST_ITEMS },
      { operation: "getUltraSrtFcst", match: { base_date: "20250529", base_time: "1430", nx: "60", ny: "127" }, items: FCST_ITEMS },
    ],
  });
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

function setup(extra: Partial<KmaClientOptions> = {}) {
  const logger = memoryLogger();
  const sleeps: number[] = [];
  const c = new KmaClient({
    serviceKey: ENCODED,
    baseUrl: mock.baseUrl,
    logger,
    clock: fixedClock("2025-05-30T03:00:00Z"),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    maxAttempts: 3,
    timeoutMs: 300,
    ...extra,
  });
  return { c, logger, sleeps };
}

async function caught(p: Promise<unknown>): Promise<KmaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KmaError) return e;
    throw e;
  }
  throw new Error("expected a KmaError");
}

function expectNoKey(...things: unknown[]): void {
  for (const t of things) {
    const text = typeof t === "string" ? t : JSON.stringify(t, (_k, v) => (v instanceof Error ? { ...v, name: v.name, message: v.message } : v));
    for (const form of KEY_FORMS) expect(text).not.toContain(form);
  }
}

describe("real payloads through the mock", () => {
  it("fetches the whole getVilageFcst issue in pages, with the key accepted by the gateway check", async () => {
    const { c, logger } = setup({ serviceKey: TEST_SERVICE_KEY }); // Decoding form
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 300 });
    expect(r.records).toHaveLength(944);
    expect(r.pages).toHaveLength(4);
    expect(r.records.map((x) => x.raw)).toEqual(vilageFixture.item.map((i) => i.fcstValue));
    expect(mock.requests).toHaveLength(4);
    expect(mock.requests.every((q) => q.keyOk && q.keyParam === "serviceKey")).toBe(true);
    expect(mock.requests[0]!.rawUrl).toBe(
      `/1360000/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=${ENCODED}&pageNo=1&numOfRows=300&dataType=JSON&base_date=20250529&base_time=0200&nx=60&ny=127`,
    );
    // raw pages are the bodies exactly as the server sent them
    const items = r.pages.flatMap((p) => JSON.parse(p.body).response.body.items.item);
    expect(items).toEqual(vilageFixture.item);
    expectNoKey(r, logger.records);
  });

  it("fetches a month of ASOS hourly observations for station 108", async () => {
    const { c, logger } = setup();
    const r = await c.getWthrDataList({ stationId: 108, from: new Date("2025-04-29T15:00:00Z"), to: new Date("2025-05-29T14:00:00Z"), numOfRows: 250 });
    expect(r.totalCount).toBe(720);
    expect(r.pages).toHaveLength(3);
    expect(r.records).toHaveLength(720);
    expect(r.records[0]).toMatchObject({ observedAt: "2025-04-29T15:00:00.000Z", ta: 12.7, rn: null });
    expect(r.records.filter((o) => o.rn === null)).toHaveLength(asosFixture.item.filter((i) => i.rn === "").length);
    expect(mock.requests.every((q) => q.keyOk)).toBe(true);
    expectNoKey(r, logger.records);
  });

  it("fetches ultra-short nowcast and forecast (hand-written items) with the schedule's base times", async () => {
    const { c } = setup({ clock: fixedClock("2025-05-29T05:50:00Z") }); // 14:50 KST
    const n = await c.getUltraSrtNcst({ nx: 60, ny: 127 });
    expect(n.base).toMatchObject({ baseDate: "20250529", baseTime: "1400" });
    expect(n.records.map((x) => [x.category, x.value, x.validAt])).toEqual([
      ["T1H", 24.1, "2025-05-29T05:00:00.000Z"],
      ["RN1", 0, "2025-05-29T05:00:00.000Z"],
      ["REH", 45, "2025-05-29T05:00:00.000Z"],
    ]);
    const f = await c.getUltraSrtFcst({ nx: 60, ny: 127 });
    expect(f.base).toMatchObject({ baseDate: "20250529", baseTime: "1430" });
    expect(f.records.map((x) => [x.category, x.value, x.flag, x.raw])).toEqual([
      ["T1H", 24, "exact", "24"],
      ["RN1", 0.5, "less-than", "1mm 미만"],
      ["RN1", 40, "range", "30.0~50.0mm"],
    ]);
  });
});

interface FaultCase {
  name: string;
  faults: KmaFault[];
  kind: KmaErrorKind;
  attempts: number;
  code?: string;
  status?: number;
  message: RegExp;
}

const always = (f: KmaFault): KmaFault[] => [f, f, f];

const FAULTS: FaultCase[] = [
  { name: "NO_DATA without body", faults: [{ type: "no-data" }], kind: "no-data", attempts: 1, code: "03", message: /resultCode 03 NO_DATA/ },
  { name: "NO_DATA with body", faults: [{ type: "no-data", withBody: true }], kind: "no-data", attempts: 1, code: "03", message: /NO_DATA/ },
  {
    name: "rate limit (22), every attempt",
    faults: always({ type: "result-code", code: "22" }),
    kind: "rate-limited",
    attempts: 3,
    code: "22",
    message: /resultCode 22 LIMITED_NUMBER/,
  },
  {
    name: "rate limit via gateway XML",
    faults: always({ type: "gateway-xml", code: "22" }),
    kind: "rate-limited",
    attempts: 3,
    code: "22",
    message: /gateway resultCode 22/,
  },
  {
    name: "key not registered, gateway XML 200",
    faults: [{ type: "gateway-xml", code: "30" }],
    kind: "auth",
    attempts: 1,
    code: "30",
    status: 200,
    message: /gateway resultCode 30 SERVICE_KEY_IS_NOT_REGISTERED_ERROR/,
  },
  {
    name: "key not registered, JSON 403",
    faults: [{ type: "result-code", code: "30", httpStatus: 403 }],
    kind: "auth",
    attempts: 1,
    code: "30",
    status: 403,
    message: /\(HTTP 403\)/,
  },
  ...["20", "21", "31", "32", "33"].map((code) => ({
    name: `access error ${code}`,
    faults: [{ type: "result-code" as const, code }],
    kind: "auth" as const,
    attempts: 1,
    code,
    message: new RegExp(`resultCode ${code} `),
  })),
  ...["10", "11", "12"].map((code) => ({
    name: `request error ${code}`,
    faults: [{ type: "result-code" as const, code }],
    kind: "bad-request" as const,
    attempts: 1,
    code,
    message: new RegExp(`resultCode ${code} `),
  })),
  ...["01", "02", "04", "05", "99"].map((code) => ({
    name: `service error ${code}, every attempt`,
    faults: always({ type: "result-code", code }),
    kind: "service" as const,
    attempts: 3,
    code,
    message: new RegExp(`resultCode ${code} `),
  })),
  { name: "XML response header", faults: [{ type: "xml-header", code: "10" }], kind: "bad-request", attempts: 1, code: "10", message: /KMA resultCode 10/ },
  {
    name: "HTML page with 200, every attempt",
    faults: always({ type: "html", title: "서비스 점검" }),
    kind: "html",
    attempts: 3,
    status: 200,
    message: /HTML page titled "서비스 점검"/,
  },
  {
    name: "HTML page with 503, every attempt",
    faults: always({ type: "html", status: 503 }),
    kind: "http",
    attempts: 3,
    status: 503,
    message: /HTTP 503 \(an HTML page/,
  },
  {
    name: "truncated JSON, every attempt",
    faults: always({ type: "truncated-json" }),
    kind: "invalid-json",
    attempts: 3,
    message: /truncated or invalid JSON/,
  },
  {
    name: "HTTP 500, every attempt",
    faults: always({ type: "http-status", status: 500, body: "Internal Server Error" }),
    kind: "http",
    attempts: 3,
    status: 500,
    message: /HTTP 500/,
  },
  {
    name: "HTTP 503, every attempt",
    faults: always({ type: "http-status", status: 503 }),
    kind: "http",
    attempts: 3,
    status: 503,
    message: /HTTP 503 \(empty body\)/,
  },
  {
    name: "HTTP 429, every attempt",
    faults: always({ type: "http-status", status: 429 }),
    kind: "rate-limited",
    attempts: 3,
    status: 429,
    message: /HTTP 429/,
  },
  { name: "hang before headers, every attempt", faults: always({ type: "hang" }), kind: "timeout", attempts: 3, message: /no complete response within 300 ms/ },
  {
    name: "hang in the body, every attempt",
    faults: always({ type: "hang-body" }),
    kind: "timeout",
    attempts: 3,
    message: /no complete response within 300 ms/,
  },
  { name: "connection reset, every attempt", faults: always({ type: "reset" }), kind: "network", attempts: 3, message: /network error: .*fetch failed/ },
];

describe("every failure class, end to end", () => {
  it.each(FAULTS)("$name -> $kind after $attempts attempt(s)", async ({ faults, kind, attempts, code, status, message }) => {
    const { c, logger, sleeps } = setup();
    mock.script(...faults);
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe(kind);
    expect(e.attempts).toBe(attempts);
    expect(mock.requests).toHaveLength(attempts);
    expect(sleeps).toHaveLength(attempts - 1);
    if (code) expect(e.resultCode).toBe(code);
    if (status) expect(e.httpStatus).toBe(status);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith("getVilageFcst: ")).toBe(true);
    expect(e.message).not.toContain("\n");
    expect(e.url).toContain("serviceKey=***");
    expectNoKey(e.message, e, e.cause ?? "", e.bodySnippet ?? "", e.stack ?? "", logger.records);
    const failures = logger.records.filter((r) => r.message.startsWith("kma request failed"));
    expect(failures).toHaveLength(attempts);
    expect(failures.every((r) => r.fields?.kind === kind)).toBe(true);
  });

  it.each([
    { name: "rate limit", fault: { type: "result-code", code: "22" } as KmaFault },
    { name: "service error 05", fault: { type: "result-code", code: "05" } as KmaFault },
    { name: "HTTP 503", fault: { type: "http-status", status: 503 } as KmaFault },
    { name: "timeout", fault: { type: "hang" } as KmaFault },
    { name: "connection reset", fault: { type: "reset" } as KmaFault },
    { name: "HTML page with 200", fault: { type: "html" } as KmaFault },
    { name: "truncated JSON", fault: { type: "truncated-json" } as KmaFault },
  ])("recovers from a transient $name", async ({ fault }) => {
    const { c, sleeps, logger } = setup();
    mock.script(fault);
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE });
    expect(r.records).toHaveLength(944);
    expect(r.pages[0]!.attempts).toBe(2);
    expect(sleeps).toEqual([250]); // 0.5 * 500
    expectNoKey(r, logger.records);
  });

  it("a slow answer inside the timeout is fine", async () => {
    const { c } = setup();
    mock.script({ type: "delay", ms: 100 });
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE });
    expect(r.pages[0]!.attempts).toBe(1);
  });

  it("a wrong key gets the gateway's auth error and is not retried", async () => {
    const { c, logger } = setup({ serviceKey: "Wr0ngKey+with/slash==" });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe("auth");
    expect(e.resultCode).toBe("30");
    expect(e.attempts).toBe(1);
    for (const t of [e.message, JSON.stringify(logger.records), e.url ?? ""]) {
      expect(t).not.toContain("Wr0ngKey");
    }
  });

  it("a failure on page 2 fails the call with the page named in the log", async () => {
    const { c, logger } = setup();
    mock.script({ type: "ok" }, { type: "result-code", code: "30", httpStatus: 403 });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 500 }));
    expect(e.kind).toBe("auth");
    expect(logger.records.find((r) => r.message === "kma request failed")?.fields).toMatchObject({ pageNo: 2, kind: "auth" });
  });

  it("NO_DATA for an issue the service does not have", async () => {
    const { c } = setup();
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: { baseDate: "20250530", baseTime: "0200" } }));
    expect(e.kind).toBe("no-data");
    expect(e.retryable).toBe(false);
  });
});
