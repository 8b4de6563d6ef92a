// KmaClient with an in-process fake fetch (runtime-agnostic: Node and Deno). End-to-end tests over
// HTTP against the mock server are in client.node.test.ts.
import { describe, expect, it } from "vitest";
import vilageFixture from "../../test/fixtures/kma/getVilageFcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import { KmaClient } from "./client.ts";
import type { FetchLike, KmaClientOptions } from "./client.ts";
import { KmaError } from "./errors.ts";

// Made-up key in the shape of data.go.kr keys. Not real.
const DECODED = "Tz3n+Kq8/WmX1vB7yR2+pL0dE5fG/hJ9sA4cN6oQ==";
const ENCODED = "Tz3n%2BKq8%2FWmX1vB7yR2%2BpL0dE5fG%2FhJ9sA4cN6oQ%3D%3D";
const KEY_FORMS = [DECODED, ENCODED, encodeURIComponent(ENCODED), "Tz3n+Kq8", "Tz3n%2BKq8"];

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

/** A fetch that answers from a list of handlers (the last one repeats) and records every URL. */
function fakeFetch(...handlers: Handler[]): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const f = (async (url: string, init: RequestInit) => {
    urls.push(url);
    const h = handlers[Math.min(urls.length - 1, handlers.length - 1)]!;
    return h(url, init);
  }) as FetchLike & { urls: string[] };
  f.urls = urls;
  return f;
}

const jsonResponse = (value: unknown, status = 200) =>
  new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json;charset=UTF-8" } });
const header = (code: string, msg: string, status = 200) => jsonResponse({ response: { header: { resultCode: code, resultMsg: msg } } }, status);

/** Answers like KMA from the real getVilageFcst items, slicing pageNo/numOfRows. */
function vilagePages(url: string): Response {
  const q = new URL(url).searchParams;
  const pageNo = Number(q.get("pageNo"));
  const numOfRows = Number(q.get("numOfRows"));
  const items = vilageFixture.item;
  return jsonResponse({
    response: {
      header: { resultCode: "00", resultMsg: "NORMAL_SERVICE" },
      body: { dataType: "JSON", items: { item: items.slice((pageNo - 1) * numOfRows, pageNo * numOfRows) }, pageNo, numOfRows, totalCount: items.length },
    },
  });
}

function client(fetch: FetchLike, extra: Partial<KmaClientOptions> = {}) {
  const sleeps: number[] = [];
  const logger = memoryLogger();
  const c = new KmaClient({
    serviceKey: DECODED,
    fetch,
    logger,
    clock: fixedClock("2025-05-29T03:00:00Z"), // 12:00 KST
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...extra,
  });
  return { c, sleeps, logger };
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

function expectNoKey(text: string): void {
  for (const form of KEY_FORMS) expect(text).not.toContain(form);
}

const BASE = { baseDate: "20250529", baseTime: "0200" };

describe("wire URL and service key", () => {
  it.each([
    { form: "Decoding", key: DECODED },
    { form: "Encoding", key: ENCODED },
    { form: "Encoding with spaces around", key: ` ${ENCODED}\n` },
  ])("sends the $form key encoded exactly once", async ({ key }) => {
    const f = fakeFetch(vilagePages);
    const { c } = client(f, { serviceKey: key });
    await c.getVilageFcst({ nx: 60, ny: 127, base: BASE });
    expect(f.urls).toEqual([
      `http://apis.data.go.kr/1360000/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=${ENCODED}&pageNo=1&numOfRows=1000&dataType=JSON&base_date=20250529&base_time=0200&nx=60&ny=127`,
    ]);
  });

  it("uses the configured base URL (trailing slash tolerated)", async () => {
    const f = fakeFetch(vilagePages);
    const { c } = client(f, { baseUrl: "http://127.0.0.1:9999/1360000/" });
    await c.getVilageFcst({ nx: 60, ny: 127, base: BASE });
    expect(f.urls[0]!.startsWith("http://127.0.0.1:9999/1360000/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=")).toBe(true);
  });

  it("builds the ASOS URL from UTC instants in KST", async () => {
    const f = fakeFetch(() => header("03", "NO_DATA"));
    const { c } = client(f, { clock: fixedClock("2025-05-30T03:00:00Z") });
    await caught(c.getWthrDataList({ stationId: 108, from: new Date("2025-04-29T15:00:00Z"), to: new Date("2025-05-29T14:00:00Z") }));
    expect(f.urls[0]).toBe(
      `http://apis.data.go.kr/1360000/AsosHourlyInfoService/getWthrDataList?serviceKey=${ENCODED}&pageNo=1&numOfRows=999&dataType=JSON&dataCd=ASOS&dateCd=HR&startDt=20250430&startHh=00&endDt=20250529&endHh=23&stnIds=108`,
    );
  });

  it("returns redacted URLs with the raw pages, and no key anywhere in the result", async () => {
    const f = fakeFetch(vilagePages);
    const { c, logger } = client(f);
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE });
    expect(r.pages[0]!.url).toBe(
      "http://apis.data.go.kr/1360000/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=***&pageNo=1&numOfRows=1000&dataType=JSON&base_date=20250529&base_time=0200&nx=60&ny=127",
    );
    expectNoKey(JSON.stringify(r));
    expectNoKey(JSON.stringify(logger.records));
    expect(logger.records.length).toBeGreaterThan(0);
  });

  it("rejects a bad base URL and key up front", () => {
    expect(() => new KmaClient({ serviceKey: DECODED, baseUrl: "not a url" })).toThrow("KMA base URL is not a URL");
    expect(() => new KmaClient({ serviceKey: DECODED, baseUrl: "ftp://x/1360000" })).toThrow("must be http or https");
    expect(() => new KmaClient({ serviceKey: "" })).toThrow("KMA service key is empty");
  });
});

describe("base time, records and raw pages", () => {
  it("picks the newest available issue from the clock (12:00 KST -> 1100)", async () => {
    const f = fakeFetch(() => header("03", "NO_DATA"));
    const { c } = client(f);
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127 }));
    expect(e.kind).toBe("no-data");
    expect(f.urls[0]).toContain("&base_date=20250529&base_time=1100&");
  });

  it("picks from `at` across the KST date line (2025-05-28T16:30Z = 01:30 KST -> previous day's 2300)", async () => {
    const f = fakeFetch(() => header("03", "NO_DATA"));
    const { c } = client(f);
    await caught(c.getVilageFcst({ nx: 60, ny: 127, at: new Date("2025-05-28T16:30:00Z") }));
    expect(f.urls[0]).toContain("&base_date=20250528&base_time=2300&");
  });

  it("returns normalized records plus the raw body as received", async () => {
    const f = fakeFetch(vilagePages);
    const { c } = client(f);
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE });
    expect(r.records).toHaveLength(944);
    expect(r.totalCount).toBe(944);
    expect(r.base.issuedAt.toISOString()).toBe("2025-05-28T17:00:00.000Z");
    expect(r.params).toEqual({ dataType: "JSON", base_date: "20250529", base_time: "0200", nx: "60", ny: "127" });
    expect(r.pages).toHaveLength(1);
    expect(JSON.parse(r.pages[0]!.body).response.body.items.item).toEqual(vilageFixture.item);
    expect(r.pages[0]).toMatchObject({ pageNo: 1, status: 200, attempts: 1, receivedAt: "2025-05-29T03:00:00.000Z" });
    expect(r.pages[0]!.contentType).toContain("application/json");
  });

  it("rejects invalid requests before sending", async () => {
    const f = fakeFetch(vilagePages);
    const { c } = client(f);
    expect((await caught(c.getVilageFcst({ nx: 0, ny: 127, base: BASE }))).message).toContain("not on the KMA grid");
    expect((await caught(c.getVilageFcst({ nx: 60, ny: 127, base: { baseDate: "20250529", baseTime: "0300" } }))).message).toContain(
      "vilageFcst is not issued at base_time 0300",
    );
    expect((await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 0 }))).kind).toBe("invalid-argument");
    expect(f.urls).toHaveLength(0);
  });
});

describe("paging", () => {
  it("reads totalCount from page 1 and fetches the rest", async () => {
    const f = fakeFetch(vilagePages);
    const { c } = client(f);
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 400 });
    expect(f.urls.map((u) => new URL(u).searchParams.get("pageNo"))).toEqual(["1", "2", "3"]);
    expect(r.pages.map((p) => p.pageNo)).toEqual([1, 2, 3]);
    expect(r.records).toHaveLength(944);
    expect(r.records.map((x) => x.raw)).toEqual(vilageFixture.item.map((i) => i.fcstValue));
  });

  it("fetches exactly one page when totalCount fits", async () => {
    const f = fakeFetch(vilagePages);
    const { c } = client(f);
    await c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 944 });
    expect(f.urls).toHaveLength(1);
  });

  it("fails when pages do not add up to totalCount", async () => {
    const f = fakeFetch((url) => {
      const r = vilagePages(url);
      return r.json().then((raw: unknown) => {
        const j = raw as { response: { body: { items: { item: unknown[] } } } };
        j.response.body.items.item.pop();
        return jsonResponse(j);
      });
    });
    const { c } = client(f);
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 500 }));
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toBe("getVilageFcst: got 942 items in 2 page(s) but totalCount is 944");
  });

  it("fails when totalCount changes between pages", async () => {
    let n = 0;
    const f = fakeFetch((url) =>
      vilagePages(url)
        .json()
        .then((raw: unknown) => {
          const j = raw as { response: { body: { totalCount: number } } };
          if (++n > 1) j.response.body.totalCount = 950;
          return jsonResponse(j);
        }),
    );
    const { c } = client(f);
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 500 }));
    expect(e.message).toContain("totalCount changed from 944 to 950");
  });

  it("refuses more pages than maxPages and ASOS pages over 999 rows", async () => {
    const f = fakeFetch(vilagePages);
    const { c } = client(f, { maxPages: 2 });
    expect((await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 100 }))).message).toContain("more than maxPages 2");
    expect(() => new KmaClient({ serviceKey: DECODED, asosNumOfRows: 1000 })).toThrow("asosNumOfRows must be an integer 1..999, got 1000");
    const { c: c2 } = client(f, { clock: fixedClock("2025-05-30T03:00:00Z") });
    const e = await caught(
      c2.getWthrDataList({ stationId: 108, from: new Date("2025-05-01T00:00:00Z"), to: new Date("2025-05-02T00:00:00Z"), numOfRows: 1000 }),
    );
    expect(e.message).toBe("numOfRows (ASOS) must be an integer 1..999, got 1000");
  });
});

describe("retries", () => {
  const rateLimited = () => header("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR");
  const unavailable = () => new Response("Service Unavailable", { status: 503, headers: { "content-type": "text/plain" } });

  it("retries retryable failures with full-jitter exponential delays, then succeeds", async () => {
    const f = fakeFetch(unavailable, rateLimited, () => header("01", "APPLICATION_ERROR"), vilagePages);
    const { c, sleeps, logger } = client(f, { backoff: { baseDelayMs: 1000, maxDelayMs: 3000 } });
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE });
    expect(f.urls).toHaveLength(4);
    expect(sleeps).toEqual([500, 1000, 1500]); // 0.5 * min(3000, 1000 * 2^(n-1))
    expect(r.pages[0]!.attempts).toBe(4);
    const warnings = logger.records.filter((x) => x.message === "kma request failed, retrying");
    expect(warnings.map((w) => w.fields?.kind)).toEqual(["http", "rate-limited", "service"]);
    expectNoKey(JSON.stringify(logger.records));
  });

  it("keeps each delay inside [0, ceiling) for any random draw", async () => {
    for (const r of [0, 0.3, 0.999999]) {
      const f = fakeFetch(unavailable);
      const { c, sleeps } = client(f, { random: () => r, maxAttempts: 5, backoff: { baseDelayMs: 100, maxDelayMs: 250 } });
      await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
      const ceilings = [100, 200, 250, 250];
      expect(sleeps).toHaveLength(4);
      sleeps.forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceilings[i]!);
        expect(d).toBe(Math.floor(r * ceilings[i]!));
      });
    }
  });

  it("stops after maxAttempts and reports the attempts", async () => {
    const f = fakeFetch(unavailable);
    const { c, sleeps } = client(f, { maxAttempts: 3 });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe("http");
    expect(e.httpStatus).toBe(503);
    expect(e.attempts).toBe(3);
    expect(f.urls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it.each([
    { name: "NO_DATA", h: () => header("03", "NO_DATA"), kind: "no-data" },
    { name: "key not registered (JSON 403)", h: () => header("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR", 403), kind: "auth" },
    { name: "bad parameter", h: () => header("10", "INVALID_REQUEST_PARAMETER_ERROR"), kind: "bad-request" },
    {
      name: "JSON that is not a KMA response",
      h: () => new Response('{"hello":1}', { headers: { "content-type": "application/json" } }),
      kind: "invalid-response",
    },
    { name: "HTTP 404", h: () => new Response("nope", { status: 404 }), kind: "http" },
  ])("does not retry $name", async ({ h, kind }) => {
    const f = fakeFetch(h);
    const { c, sleeps } = client(f);
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe(kind);
    expect(e.attempts).toBe(1);
    expect(f.urls).toHaveLength(1);
    expect(sleeps).toHaveLength(0);
  });

  it.each([
    { name: "an HTML page", h: () => new Response("<html><title>x</title></html>", { headers: { "content-type": "text/html" } }), kind: "html" },
    { name: "truncated JSON", h: () => new Response('{"response":{"hea', { headers: { "content-type": "application/json" } }), kind: "invalid-json" },
  ])("retries $name on a 200 like a 5xx, with the same budget", async ({ h, kind }) => {
    const f = fakeFetch(h);
    const { c, sleeps } = client(f, { maxAttempts: 3 });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe(kind);
    expect(e.attempts).toBe(3);
    expect(f.urls).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it("classifies network errors as retryable and scrubs the URL a runtime may put in the message", async () => {
    const f = fakeFetch((url) => {
      throw new TypeError(`error sending request for url (${url})`, { cause: Object.assign(new Error("connection reset"), { code: "ECONNRESET" }) });
    });
    const { c, sleeps, logger } = client(f, { maxAttempts: 2 });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe("network");
    expect(e.retryable).toBe(true);
    expect(e.attempts).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(e.message).toContain("network error: error sending request for url");
    expect(e.message).toContain("serviceKey=***");
    expect(e.message).toContain("ECONNRESET: connection reset");
    expectNoKey(e.message);
    expectNoKey(String((e.cause as Error).message));
    expectNoKey(JSON.stringify(logger.records));
  });

  it("times out a request that never answers (default would be 10 s; 30 ms here)", async () => {
    const f = fakeFetch(
      (_url, init) =>
        new Promise<Response>((_, reject) => {
          init.signal!.addEventListener("abort", () => reject(init.signal!.reason));
        }),
    );
    const { c } = client(f, { timeoutMs: 30, maxAttempts: 2 });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe("timeout");
    expect(e.message).toBe("getVilageFcst: no complete response within 30 ms (timeout)");
    expect(e.attempts).toBe(2);
  });

  it("stops at once when the caller aborts, without retrying", async () => {
    const ac = new AbortController();
    const f = fakeFetch(
      (_url, init) =>
        new Promise<Response>((_, reject) => {
          init.signal!.addEventListener("abort", () => reject(init.signal!.reason));
          ac.abort(new Error("shutdown"));
        }),
    );
    const { c } = client(f);
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE, signal: ac.signal }));
    expect(e.kind).toBe("aborted");
    expect(f.urls).toHaveLength(1);
  });

  it("stops with kind aborted when the caller aborts during the wait before a retry", async () => {
    const f = fakeFetch(unavailable);
    const { c, logger } = client(f, { sleep: () => Promise.reject(new Error("shutdown")) });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.kind).toBe("aborted");
    expect(e.message).toBe("getVilageFcst: aborted by the caller while waiting to retry (after 1 attempt(s); last error: http)");
    expect(e.attempts).toBe(1);
    expect(f.urls).toHaveLength(1);
    expect(logger.records.filter((x) => x.message === "kma request failed, retrying")).toHaveLength(1);
  });

  it("logs the final failure once, without a delay, when the attempts run out", async () => {
    const f = fakeFetch(unavailable);
    const { c, logger } = client(f, { maxAttempts: 2 });
    const e = await caught(c.getVilageFcst({ nx: 60, ny: 127, base: BASE }));
    expect(e.attempts).toBe(2);
    const failed = logger.records.filter((x) => x.message === "kma request failed");
    expect(failed.map((w) => [w.fields?.attempt, w.fields?.delayMs])).toEqual([[2, undefined]]);
  });

  it("retries a page in the middle of paging without refetching earlier pages", async () => {
    let calls = 0;
    const f = fakeFetch((url) => (++calls === 2 ? rateLimited() : vilagePages(url)));
    const { c, sleeps } = client(f);
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: BASE, numOfRows: 500 });
    expect(f.urls.map((u) => new URL(u).searchParams.get("pageNo"))).toEqual(["1", "2", "2"]);
    expect(r.pages.map((p) => p.attempts)).toEqual([1, 2]);
    expect(sleeps).toHaveLength(1);
  });
});

describe("ASOS argument checks", () => {
  const { c } = client(
    fakeFetch(() => header("03", "NO_DATA")),
    { clock: fixedClock("2025-05-30T03:00:00Z") },
  );

  it("serves only up to yesterday KST", async () => {
    const e = await caught(c.getWthrDataList({ stationId: 108, from: new Date("2025-05-29T14:00:00Z"), to: new Date("2025-05-29T15:00:00Z") }));
    expect(e.kind).toBe("invalid-argument");
    expect(e.message).toContain("only up to yesterday (KST)");
  });

  it("wants whole hours and from <= to", async () => {
    expect((await caught(c.getWthrDataList({ stationId: 108, from: new Date("2025-05-01T00:30:00Z"), to: new Date("2025-05-02T00:00:00Z") }))).message).toBe(
      "ASOS from must be on the hour, got 2025-05-01T00:30:00.000Z",
    );
    expect(
      (await caught(c.getWthrDataList({ stationId: 108, from: new Date("2025-05-03T00:00:00Z"), to: new Date("2025-05-02T00:00:00Z") }))).message,
    ).toContain("is after to");
  });
});
