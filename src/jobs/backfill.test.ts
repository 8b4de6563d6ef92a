// The backfill job on an in-memory database with KMA answering from the real ASOS fixture
// (station 108, 2025-04-30 .. 2025-05-29 KST) through a fake fetch. Runtime-agnostic.
import { describe, expect, it } from "vitest";
import { KmaClient } from "../kma/client.ts";
import type { FetchLike } from "../kma/client.ts";
import { SEOUL, createLocation } from "../locations/locations.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import type { Database } from "../ports/database.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { BackfillRequestError, kstDays, missingAsosDays, runBackfill } from "./backfill.ts";
import type { BackfillDeps, BackfillProgress } from "./backfill.ts";
import { runIngest } from "./ingest.ts";
import { FAKE_SERVICE_KEY, fixtureFetch, fixtureResponse, migratedMemoryDb } from "./test-fakes.ts";

async function setup(fetch: FetchLike & { urls: string[] } = fixtureFetch()) {
  const db = await migratedMemoryDb();
  const objects = createMemoryObjectStore();
  const clock = fixedClock("2025-06-01T03:00:00Z");
  const logger = memoryLogger();
  const kma = new KmaClient({ serviceKey: FAKE_SERVICE_KEY, fetch, clock, logger, maxAttempts: 1, sleep: async () => {} });
  const deps: BackfillDeps = { db, objects, clock, logger, kma, redact: (t) => kma.redact(t) };
  return { db, objects, clock, logger, kma, fetch, deps };
}

const count = async (db: Database, sql: string) => Number((await db.execute(sql)).rows[0]!.n);
const requestedDays = (urls: string[]) => urls.map((u) => new URL(u).searchParams.get("startDt"));

describe("backfill", () => {
  it("stores each KST day's 24 ASOS hours with its raw payload, in UTC", async () => {
    const { db, objects, deps } = await setup();
    const progress: BackfillProgress[] = [];
    const r = await runBackfill(deps, { location: SEOUL, from: "2025-05-01", to: "2025-05-03", onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({
      status: "succeeded",
      daysInRange: 3,
      daysComplete: 0,
      daysMissing: 3,
      daysStored: ["2025-05-01", "2025-05-02", "2025-05-03"],
      daysNoData: [],
    });
    expect(r.counts).toEqual({ inserted: 72, updated: 0, skipped: 0 });
    expect(progress.map((p) => [p.done, p.total, p.day, p.outcome])).toEqual([
      [1, 3, "2025-05-01", "stored"],
      [2, 3, "2025-05-02", "stored"],
      [3, 3, "2025-05-03", "stored"],
    ]);
    // 2025-05-01 00:00 KST = 2025-04-30T15:00Z; 2025-05-03 23:00 KST = 2025-05-03T14:00Z.
    const range = (await db.execute("SELECT min(observed_at) AS a, max(observed_at) AS b, count(*) AS n FROM observations WHERE source = 'asos'")).rows[0]!;
    expect({ ...range }).toEqual({ a: "2025-04-30T15:00:00Z", b: "2025-05-03T14:00:00Z", n: 72 });
    const first = (
      await db.execute("SELECT temperature_c, humidity_pct, visibility_m, pressure_hpa, raw_ref FROM observations WHERE observed_at = '2025-04-30T15:00:00Z'")
    ).rows[0]!;
    expect(first.raw_ref).toBe("raw/kma/getWthrDataList/seoul/2025-05-01/0000.json");
    expect(typeof first.temperature_c).toBe("number");
    const run = (await db.execute("SELECT job, status, rows_inserted, params FROM ingest_runs")).rows[0]!;
    expect({ ...run, params: JSON.parse(String(run.params)) }).toEqual({
      job: "asos_hourly",
      status: "succeeded",
      rows_inserted: 72,
      params: { operation: "getWthrDataList", station: 108, from: "2025-05-01", to: "2025-05-03", days_missing: 3 },
    });
    const keys = (await objects.list()).map((o) => o.key);
    expect(keys.filter((k) => k.startsWith("raw/"))).toEqual([
      "raw/kma/getWthrDataList/seoul/2025-05-01/0000.json",
      "raw/kma/getWthrDataList/seoul/2025-05-02/0000.json",
      "raw/kma/getWthrDataList/seoul/2025-05-03/0000.json",
    ]);
    expect(keys.filter((k) => k.startsWith("csv/"))).toEqual([
      "csv/observations/seoul/2025/2025-04-30.csv",
      "csv/observations/seoul/2025/2025-05-01.csv",
      "csv/observations/seoul/2025/2025-05-02.csv",
      "csv/observations/seoul/2025/2025-05-03.csv",
    ]);
    const csv = new TextDecoder()
      .decode((await objects.get("csv/observations/seoul/2025/2025-04-30.csv"))!.body)
      .trim()
      .split("\n");
    expect(csv).toHaveLength(1 + 9); // header + 15:00Z..23:00Z
  });

  it("resumes after a failure: committed days stay, the failed run says why, a re-run fetches only the missing days", async () => {
    let failedOnce = false;
    const failing = fixtureFetch((url) => {
      if (failedOnce || !url.includes("startDt=20250502")) return undefined;
      failedOnce = true;
      return new Response("upstream unavailable", { status: 503 });
    });
    const { db, deps, fetch } = await setup(failing);
    const r = await runBackfill(deps, { location: SEOUL, from: "2025-05-01", to: "2025-05-04" });
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ class: "KmaError:http", day: "2025-05-02" });
    expect(r.error!.message).toMatch(/^getWthrDataList: .*503/);
    expect(r.daysStored).toEqual(["2025-05-01"]);
    const run = (await db.execute("SELECT status, rows_inserted, error_class, error_message FROM ingest_runs")).rows[0]!;
    expect({ ...run }).toMatchObject({ status: "failed", rows_inserted: 24, error_class: "KmaError:http" });
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(24);
    expect(await missingAsosDays(deps, "seoul", kstDays("2025-05-01", "2025-05-04"))).toEqual({
      missing: ["2025-05-02", "2025-05-03", "2025-05-04"],
      complete: 1,
    });

    fetch.urls.length = 0;
    const again = await runBackfill(deps, { location: SEOUL, from: "2025-05-01", to: "2025-05-04" });
    expect(again).toMatchObject({ status: "succeeded", daysComplete: 1, daysMissing: 3, daysStored: ["2025-05-02", "2025-05-03", "2025-05-04"] });
    expect(requestedDays(fetch.urls)).toEqual(["20250502", "20250503", "20250504"]);
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(96);

    fetch.urls.length = 0;
    const third = await runBackfill(deps, { location: SEOUL, from: "2025-05-01", to: "2025-05-04" });
    expect(third).toMatchObject({ status: "succeeded", daysComplete: 4, daysMissing: 0, counts: { inserted: 0, updated: 0, skipped: 0 } });
    expect(fetch.urls).toEqual([]);
  });

  it("pages through KMA's numOfRows and stores every page", async () => {
    const { db, objects, deps, fetch } = await setup();
    const r = await runBackfill(deps, { location: SEOUL, from: "2025-05-10", to: "2025-05-10", pageSize: 10 });
    expect(r.counts.inserted).toBe(24);
    expect(fetch.urls.map((u) => new URL(u).searchParams.get("pageNo"))).toEqual(["1", "2", "3"]);
    expect((await objects.list("raw/")).map((o) => o.key)).toEqual([
      "raw/kma/getWthrDataList/seoul/2025-05-10/0000.json",
      "raw/kma/getWthrDataList/seoul/2025-05-10/0000.p2.json",
      "raw/kma/getWthrDataList/seoul/2025-05-10/0000.p3.json",
    ]);
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(24);
  });

  it("reports days KMA has no data for and leaves them missing", async () => {
    const { deps } = await setup();
    const r = await runBackfill(deps, { location: SEOUL, from: "2025-05-29", to: "2025-05-31" });
    expect(r).toMatchObject({ status: "succeeded", daysStored: ["2025-05-29"], daysNoData: ["2025-05-30", "2025-05-31"] });
  });

  it("refuses what it cannot do before doing anything", async () => {
    const { db, deps } = await setup();
    await expect(runBackfill(deps, { location: SEOUL, from: "2025-05-01", to: "2025-06-01" })).rejects.toThrow(
      new BackfillRequestError("--to 2025-06-01 is too recent: KMA serves ASOS hourly data up to yesterday (KST), 2025-05-31"),
    );
    await expect(runBackfill(deps, { location: SEOUL, from: "2025-05-03", to: "2025-05-01" })).rejects.toThrow("--from 2025-05-03 is after --to 2025-05-01");
    await expect(runBackfill(deps, { location: SEOUL, from: "2025-02-30", to: "2025-05-01" })).rejects.toThrow(
      '--from must be a KST date YYYY-MM-DD, got "2025-02-30"',
    );
    const noStation = createLocation({ id: "jeju-grid", name: "Jeju grid point", lat: 33.5, lon: 126.5 });
    await expect(runBackfill(deps, { location: noStation, from: "2025-05-01", to: "2025-05-01" })).rejects.toThrow('location "jeju-grid" has no ASOS station');
    expect(await count(db, "SELECT count(*) AS n FROM ingest_runs")).toBe(0);
  });
});

describe("source precedence", () => {
  it("serves the ASOS value over the nowcast for the same hour, per field, in the view and the CSV partition", async () => {
    // The nowcast fixture carries the ASOS values of that hour; here its T1H is changed to 18.2 and
    // its REH dropped so that the sources can be told apart.
    const nowcast = fixtureFetch((url) => {
      if (!url.includes("getUltraSrtNcst")) return undefined;
      return fixtureResponse(url)
        .json()
        .then((raw: unknown) => {
          const body = raw as { response: { body: { items: { item: { category: string; obsrValue: string }[] } } } };
          const items = body.response.body.items.item.filter((i) => i.category !== "REH").map((i) => (i.category === "T1H" ? { ...i, obsrValue: "18.2" } : i));
          body.response.body.items.item = items;
          (body.response.body as unknown as { totalCount: number }).totalCount = items.length;
          return new Response(JSON.stringify(body), { headers: { "content-type": "application/json;charset=UTF-8" } });
        });
    });
    const { db, objects, deps } = await setup(nowcast);
    await runIngest(deps, { locations: [SEOUL], at: new Date("2025-05-28T17:15:00Z"), products: ["ultraSrtNcst"] });
    const hour = "2025-05-28T17:00:00Z";
    const best = async () => ({
      ...(
        await db.execute({
          sql: "SELECT primary_source, temperature_source, temperature_c, humidity_pct, wind_u_ms FROM observations_best WHERE observed_at = ?",
          args: [hour],
        })
      ).rows[0]!,
    });
    expect(await best()).toEqual({
      primary_source: "ultra_srt_ncst",
      temperature_source: "ultra_srt_ncst",
      temperature_c: 18.2,
      humidity_pct: null,
      wind_u_ms: -1.2,
    });

    await runBackfill(deps, { location: SEOUL, from: "2025-05-29", to: "2025-05-29" });
    // ASOS wins for temperature and humidity; u/v only the nowcast reported, so they still come from it.
    expect(await best()).toEqual({ primary_source: "asos", temperature_source: "asos", temperature_c: 17, humidity_pct: 71, wind_u_ms: -1.2 });
    expect(await count(db, "SELECT count(*) AS n FROM observations WHERE observed_at = '2025-05-28T17:00:00Z'")).toBe(2);
    const csv = new TextDecoder().decode((await objects.get("csv/observations/seoul/2025/2025-05-28.csv"))!.body).split("\n");
    expect(csv.find((l) => l.startsWith(hour))).toMatch(/^2025-05-28T17:00:00Z,asos,asos,17,71,1\.6,50,-1\.2,-1,/);
  });
});
