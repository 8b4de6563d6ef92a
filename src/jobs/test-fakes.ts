// Test helpers for the jobs (runtime-agnostic: Node and Deno): a migrated in-memory database, a
// fetch that answers like KMA from the fixtures, and an object store that fails on demand.
// Fixtures: test/fixtures/kma (real payload items) and test/fixtures/jobs (the nowcast items, written
// in the guide's item shape; see test/fixtures/jobs/PROVENANCE.md).
import { createClient } from "@libsql/client";
import nowcastFixture from "../../test/fixtures/jobs/getUltraSrtNcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import asosFixture from "../../test/fixtures/kma/getWthrDataList_ASOS_108_20250430-20250529.items.json" with { type: "json" };
import vilageFixture from "../../test/fixtures/kma/getVilageFcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import { migrate } from "../db/migrate.ts";
import type { FetchLike } from "../kma/client.ts";
import { fixedClock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";

/** Made-up key in the shape of data.go.kr keys (base64 with + / =). Not a real key. */
export const FAKE_SERVICE_KEY = "Qk9n+Zx7/Lm2Pq8Rs4+Tu6Vw0Xy3Ab5Cd7Ef9Gh1Ij3Kl5Mn7Op9Qr1St3Uv5Wx7Yz==";

/** Every form the key could leak in. */
export function keyForms(key: string): string[] {
  return [key, encodeURIComponent(key), encodeURIComponent(encodeURIComponent(key)), key.slice(0, 12), encodeURIComponent(key).slice(0, 14)];
}

export async function migratedMemoryDb(): Promise<Database> {
  const db = createClient({ url: ":memory:" });
  await migrate(db, { clock: fixedClock("2025-01-01T00:00:00Z") });
  return db;
}

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json;charset=UTF-8" } });

export const noData = () => json({ response: { header: { resultCode: "03", resultMsg: "NO_DATA" } } });

function page(items: readonly unknown[], q: URLSearchParams): Response {
  const pageNo = Number(q.get("pageNo"));
  const numOfRows = Number(q.get("numOfRows"));
  const slice = items.slice((pageNo - 1) * numOfRows, pageNo * numOfRows);
  if (slice.length === 0) return noData();
  return json({
    response: {
      header: { resultCode: "00", resultMsg: "NORMAL_SERVICE" },
      body: { dataType: "JSON", items: { item: slice }, pageNo, numOfRows, totalCount: items.length },
    },
  });
}

const kstTm = (date: string, hh: string) => `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)} ${hh}:00`;

/** The answer KMA would give from the fixtures (NO_DATA where there is none). */
export function fixtureResponse(url: string): Response {
  const u = new URL(url);
  const q = u.searchParams;
  const op = u.pathname.split("/").pop();
  const forecastMatch = (items: readonly { baseDate: string; baseTime: string; nx: number; ny: number }[]) =>
    items.length > 0 &&
    q.get("base_date") === items[0]!.baseDate &&
    q.get("base_time") === items[0]!.baseTime &&
    q.get("nx") === String(items[0]!.nx) &&
    q.get("ny") === String(items[0]!.ny);
  if (op === "getVilageFcst" && forecastMatch(vilageFixture.item)) return page(vilageFixture.item, q);
  if (op === "getUltraSrtNcst" && forecastMatch(nowcastFixture.item)) return page(nowcastFixture.item, q);
  if (op === "getWthrDataList" && q.get("stnIds") === "108") {
    const start = kstTm(q.get("startDt")!, q.get("startHh")!);
    const end = kstTm(q.get("endDt")!, q.get("endHh")!);
    return page(
      asosFixture.item.filter((i) => i.tm >= start && i.tm <= end),
      q,
    );
  }
  return noData();
}

/**
 * A fetch answering from the fixtures. `override` may answer a request instead (return undefined to
 * let the fixtures answer); it sees the request number (0-based). Records every URL.
 */
export function fixtureFetch(override?: (url: string, n: number) => Response | Promise<Response> | undefined): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const answer: FetchLike = async (url) => {
    const n = urls.push(url) - 1;
    return (await override?.(url, n)) ?? fixtureResponse(url);
  };
  return Object.assign(answer, { urls });
}

/** The store, except that put() of keys matching `failPut` throws a non-transient storage error. */
export function failingPuts(store: ObjectStore, failPut: RegExp): ObjectStore {
  return {
    ...store,
    put: async (key, body, options) => {
      if (failPut.test(key)) throw new ObjectStoreError("put", key, "injected failure: disk full (ENOSPC)", { code: "storage" });
      return store.put(key, body, options);
    },
  };
}

/** Every text value of every table, for "the key never leaks" checks. */
export async function allDatabaseText(db: Database): Promise<string> {
  const tables = await db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  const parts: string[] = [];
  for (const t of tables.rows) {
    const rs = await db.execute(`SELECT * FROM "${String(t.name)}"`);
    for (const row of rs.rows) parts.push(JSON.stringify(row));
  }
  return parts.join("\n");
}

/** Every object's key, body, content type and metadata as text. */
export async function allObjectText(store: ObjectStore): Promise<string> {
  const parts: string[] = [];
  for (const info of await store.list()) {
    const o = await store.get(info.key);
    if (o) parts.push(info.key, new TextDecoder().decode(o.body), o.contentType ?? "", JSON.stringify(o.metadata));
  }
  return parts.join("\n");
}
