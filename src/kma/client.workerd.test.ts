// The KMA client inside workerd: the same code path as in the Worker (fetch, AbortController,
// setTimeout, Response, zod) with an in-process fake fetch serving the real getVilageFcst items.
import { describe, expect, it } from "vitest";
import vilageFixture from "../../test/fixtures/kma/getVilageFcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import { KmaClient } from "./client.ts";
import type { FetchLike } from "./client.ts";
import { KmaError } from "./errors.ts";

const KEY = "Tz3n+Kq8/WmX1vB7yR2+pL0dE5fG/hJ9sA4cN6oQ=="; // made up, not a real key

const pages: FetchLike = async (url) => {
  const q = new URL(url).searchParams;
  const pageNo = Number(q.get("pageNo"));
  const numOfRows = Number(q.get("numOfRows"));
  const items = vilageFixture.item;
  return new Response(
    JSON.stringify({
      response: {
        header: { resultCode: "00", resultMsg: "NORMAL_SERVICE" },
        body: { dataType: "JSON", items: { item: items.slice((pageNo - 1) * numOfRows, pageNo * numOfRows) }, pageNo, numOfRows, totalCount: items.length },
      },
    }),
    { headers: { "content-type": "application/json;charset=UTF-8" } },
  );
};

describe("KmaClient in workerd", () => {
  it("pages through the real getVilageFcst payload", async () => {
    const urls: string[] = [];
    const logger = memoryLogger();
    const c = new KmaClient({ serviceKey: KEY, fetch: (u, i) => (urls.push(u), pages(u, i)), clock: fixedClock("2025-05-29T03:00:00Z"), logger });
    const r = await c.getVilageFcst({ nx: 60, ny: 127, base: { baseDate: "20250529", baseTime: "0200" }, numOfRows: 500 });
    expect(r.records).toHaveLength(944);
    expect(urls[0]).toContain(`serviceKey=${encodeURIComponent(KEY)}&pageNo=1&numOfRows=500&`);
    expect(JSON.stringify([r, logger.records])).not.toContain(encodeURIComponent(KEY));
  });

  it("times out with the runtime's timers", async () => {
    const hang: FetchLike = (_u, init) => new Promise((_, reject) => init.signal!.addEventListener("abort", () => reject(init.signal!.reason)));
    const c = new KmaClient({ serviceKey: KEY, fetch: hang, timeoutMs: 50, maxAttempts: 1 });
    const e = await c.getVilageFcst({ nx: 60, ny: 127, base: { baseDate: "20250529", baseTime: "0200" } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KmaError);
    expect((e as KmaError).kind).toBe("timeout");
  });

  it("uses the global fetch by default, never with the client as `this`", async () => {
    const original = globalThis.fetch;
    const thisValues: unknown[] = [];
    globalThis.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
      thisValues.push(this);
      return pages(String(input), init ?? {});
    } as typeof fetch;
    try {
      const c = new KmaClient({ serviceKey: KEY, clock: fixedClock("2025-05-29T03:00:00Z") });
      const r = await c.getVilageFcst({ nx: 60, ny: 127, base: { baseDate: "20250529", baseTime: "0200" } });
      expect(r.records).toHaveLength(944);
      expect(thisValues).toHaveLength(1);
      expect(thisValues[0] === undefined || thisValues[0] === globalThis).toBe(true);
    } finally {
      globalThis.fetch = original;
    }
  });
});
