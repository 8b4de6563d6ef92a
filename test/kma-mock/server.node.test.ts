import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_SERVICE_KEY, parseQuery, startKmaMock } from "./server.ts";
import type { KmaMock } from "./server.ts";

const ENC = encodeURIComponent(TEST_SERVICE_KEY);
let mock: KmaMock;

beforeAll(async () => {
  mock = await startKmaMock();
});
afterAll(async () => {
  await mock.close();
});
beforeEach(() => mock.reset());

const vilage = (query: string, key = ENC) =>
  `${mock.baseUrl}/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=${key}&dataType=JSON&base_date=20250529&base_time=0200&nx=60&ny=127&${query}`;

async function get(url: string, init?: RequestInit): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(url, init);
  return { status: r.status, type: r.headers.get("content-type") ?? "", text: await r.text() };
}

describe("kma mock server", () => {
  it("listens on loopback", () => {
    expect(mock.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/1360000$/);
  });

  it("serves the real getVilageFcst items in the guide's envelope, paged", async () => {
    const p1 = JSON.parse((await get(vilage("pageNo=1&numOfRows=500"))).text);
    expect(p1.response.header).toEqual({ resultCode: "00", resultMsg: "NORMAL_SERVICE" });
    expect(p1.response.body).toMatchObject({ dataType: "JSON", pageNo: 1, numOfRows: 500, totalCount: 944 });
    expect(p1.response.body.items.item).toHaveLength(500);
    const p2 = JSON.parse((await get(vilage("pageNo=2&numOfRows=500"))).text);
    expect(p2.response.body.items.item).toHaveLength(444);
    expect(p2.response.body.items.item[0]).toEqual({
      ...p2.response.body.items.item[0],
      baseDate: "20250529",
      baseTime: "0200",
      nx: 60,
      ny: 127,
    });
    const p3 = JSON.parse((await get(vilage("pageNo=3&numOfRows=500"))).text);
    expect(p3.response.header.resultCode).toBe("03");
    expect(mock.requests.every((r) => r.keyOk && r.operation === "getVilageFcst")).toBe(true);
  });

  it("uses KMA's defaults pageNo=1, numOfRows=10", async () => {
    const j = JSON.parse((await get(vilage(""))).text);
    expect(j.response.body).toMatchObject({ pageNo: 1, numOfRows: 10, totalCount: 944 });
    expect(j.response.body.items.item).toHaveLength(10);
  });

  it("answers NO_DATA for parameters it has no payload for", async () => {
    const url = `${mock.baseUrl}/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=${ENC}&dataType=JSON&base_date=20250530&base_time=0200&nx=60&ny=127`;
    expect(JSON.parse((await get(url)).text)).toEqual({ response: { header: { resultCode: "03", resultMsg: "NO_DATA" } } });
  });

  it("filters the real ASOS items by the requested KST range and station", async () => {
    const asos = (q: string) =>
      `${mock.baseUrl}/AsosHourlyInfoService/getWthrDataList?serviceKey=${ENC}&dataType=JSON&dataCd=ASOS&dateCd=HR&numOfRows=999&pageNo=1&${q}`;
    const j = JSON.parse((await get(asos("startDt=20250501&startHh=00&endDt=20250501&endHh=23&stnIds=108"))).text);
    expect(j.response.body.totalCount).toBe(24);
    expect(j.response.body.items.item[0].tm).toBe("2025-05-01 00:00");
    expect(j.response.body.items.item[23].tm).toBe("2025-05-01 23:00");
    const other = JSON.parse((await get(asos("startDt=20250501&startHh=00&endDt=20250501&endHh=23&stnIds=159"))).text);
    expect(other.response.header.resultCode).toBe("03");
  });

  it("accepts the key only when it decodes once to the real key", async () => {
    const wrong = [
      TEST_SERVICE_KEY, // raw '+' '/' '=': '+' becomes a space
      encodeURIComponent(ENC), // double-encoded
      "not-the-key",
    ];
    for (const k of wrong) {
      const r = await get(vilage("", k));
      expect(r.status).toBe(200);
      expect(r.type).toContain("text/xml");
      expect(r.text).toContain("<returnReasonCode>30</returnReasonCode>");
    }
    expect(mock.requests.map((r) => r.keyOk)).toEqual([false, false, false]);
    const noKey = await get(`${mock.baseUrl}/VilageFcstInfoService_2.0/getVilageFcst?dataType=JSON`);
    expect(noKey.text).toContain("SERVICE_KEY_IS_NOT_REGISTERED_ERROR");
    expect((await get(vilage("", ENC.replace(/%2B/g, "%2b")))).text).toContain('"resultCode":"00"'); // escapes are case-insensitive
  });

  it("answers missing mandatory parameters with code 11 and unknown services with code 12", async () => {
    const r = await get(`${mock.baseUrl}/VilageFcstInfoService_2.0/getVilageFcst?serviceKey=${ENC}&dataType=JSON&nx=60`);
    expect(JSON.parse(r.text).response.header.resultCode).toBe("11");
    const u = await get(`${mock.baseUrl}/NoSuchService/op?serviceKey=${ENC}`);
    expect(u.text).toContain("<returnReasonCode>12</returnReasonCode>");
  });

  it("plays scripted faults in order, one per request, then serves normally", async () => {
    mock.script(
      { type: "no-data", withBody: true },
      { type: "result-code", code: "22" },
      { type: "result-code", code: "30", httpStatus: 403 },
      { type: "gateway-xml", code: "22" },
      { type: "xml-header", code: "10" },
      { type: "html", status: 503 },
      { type: "truncated-json" },
      { type: "http-status", status: 500, body: "boom" },
    );
    expect(mock.pendingFaults()).toBe(8);
    const r: { status: number; type: string; text: string }[] = [];
    for (let i = 0; i < 9; i++) r.push(await get(vilage("numOfRows=5")));
    expect(JSON.parse(r[0]!.text).response).toMatchObject({ header: { resultCode: "03" }, body: { items: "", totalCount: 0 } });
    expect(JSON.parse(r[1]!.text).response.header).toEqual({ resultCode: "22", resultMsg: "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR" });
    expect(r[2]!.status).toBe(403);
    expect(JSON.parse(r[2]!.text).response.header.resultCode).toBe("30");
    expect(r[3]!.text).toContain("<returnAuthMsg>LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR</returnAuthMsg>");
    expect(r[4]!.text).toContain("<resultCode>10</resultCode>");
    expect(r[5]!.status).toBe(503);
    expect(r[5]!.type).toContain("text/html");
    expect(() => JSON.parse(r[6]!.text)).toThrow();
    expect(r[6]!.text.startsWith('{"response":{"header":{"resultCode":"00"')).toBe(true);
    expect(r[7]).toMatchObject({ status: 500, text: "boom" });
    expect(JSON.parse(r[8]!.text).response.header.resultCode).toBe("00");
    expect(mock.requests.map((x) => x.fault)).toEqual([
      "no-data",
      "result-code",
      "result-code",
      "gateway-xml",
      "xml-header",
      "html",
      "truncated-json",
      "http-status",
      null,
    ]);
  });

  it("can hang (headers or body) and reset connections", async () => {
    mock.script({ type: "hang" }, { type: "hang-body" }, { type: "reset" });
    await expect(fetch(vilage(""), { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    const res = await fetch(vilage(""), { signal: AbortSignal.timeout(100) });
    await expect(res.text()).rejects.toThrow();
    await expect(fetch(vilage(""))).rejects.toThrow("fetch failed");
  });
});

describe("parseQuery", () => {
  it("form-decodes like a servlet container and finds the key parameter in any case", () => {
    expect(parseQuery("ServiceKey=a%2Bb+c&x=1")).toEqual({ params: { ServiceKey: "a+b c", x: "1" }, keyParam: "ServiceKey" });
  });
});
