// The ingest job end to end on an in-memory libSQL database and memory object store, with KMA
// answering from the real fixtures through a fake fetch (runtime-agnostic: Node and Deno). The same
// against the HTTP mock server, every KMA failure class and the CLI are in *.node.test.ts files.
import { describe, expect, it } from "vitest";
import { KmaClient } from "../kma/client.ts";
import type { FetchLike } from "../kma/client.ts";
import { SEOUL } from "../locations/locations.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import type { Database } from "../ports/database.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { runIngest } from "./ingest.ts";
import type { IngestDeps } from "./ingest.ts";
import { FAKE_SERVICE_KEY, allDatabaseText, allObjectText, failingPuts, fixtureFetch, keyForms, migratedMemoryDb } from "./test-fakes.ts";

// 02:15 KST on 2025-05-29: the newest nowcast and short-term forecast are both the 02:00 KST issue,
// which is what the fixtures hold.
const AT = new Date("2025-05-28T17:15:00Z");

async function setup(fetch: FetchLike = fixtureFetch(), objects?: ObjectStore) {
  const db = await migratedMemoryDb();
  const store = objects ?? createMemoryObjectStore();
  const clock = fixedClock("2025-05-28T17:16:00Z");
  const logger = memoryLogger();
  const kma = new KmaClient({ serviceKey: FAKE_SERVICE_KEY, fetch, clock, logger, maxAttempts: 1, sleep: async () => {} });
  const deps: IngestDeps = { db, objects: store, clock, logger, kma, redact: (t) => kma.redact(t) };
  return { db, store, clock, logger, deps };
}

async function runs(db: Database) {
  const rs = await db.execute(
    "SELECT id, job, location_id, status, rows_inserted, rows_updated, rows_skipped, error_class, error_message, params FROM ingest_runs ORDER BY id",
  );
  return rs.rows.map((r) => ({ ...r }));
}

const count = async (db: Database, sql: string) => Number((await db.execute(sql)).rows[0]!.n);

describe("ingest", () => {
  it("stores the nowcast as an observation and the short-term forecast as one row per value, with raw payloads and a CSV partition", async () => {
    const { db, store, deps } = await setup();
    const result = await runIngest(deps, { locations: [SEOUL], at: AT });
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => [s.product, s.status, s.baseDate, s.baseTime, s.counts])).toEqual([
      ["ultraSrtNcst", "succeeded", "20250529", "0200", { inserted: 1, updated: 0, skipped: 0 }],
      ["vilageFcst", "succeeded", "20250529", "0200", { inserted: 944, updated: 0, skipped: 0 }],
    ]);
    // 02:00 KST = 17:00 UTC the day before.
    const obs = await db.execute("SELECT * FROM observations");
    expect(obs.rows.map((r) => ({ ...r }))).toEqual([
      expect.objectContaining({
        location_id: "seoul",
        observed_at: "2025-05-28T17:00:00Z",
        source: "ultra_srt_ncst",
        temperature_c: 17,
        humidity_pct: 71,
        wind_speed_ms: 1.6,
        wind_dir_deg: 50,
        wind_u_ms: -1.2,
        wind_v_ms: -1,
        precipitation_mm: 0,
        precipitation_type: 0,
        pressure_hpa: null,
        raw_ref: "raw/kma/getUltraSrtNcst/seoul/2025-05-29/0200.json",
        ingest_run_id: 1,
      }),
    ]);
    const fc = await db.execute(
      "SELECT issued_at, valid_at, category, value, value_text, raw_ref FROM forecasts WHERE category IN ('TMP', 'PCP') ORDER BY valid_at, category LIMIT 2",
    );
    expect(fc.rows.map((r) => ({ ...r }))).toEqual([
      {
        issued_at: "2025-05-28T17:00:00Z",
        valid_at: "2025-05-28T18:00:00Z",
        category: "PCP",
        value: 0,
        value_text: "강수없음",
        raw_ref: "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json",
      },
      {
        issued_at: "2025-05-28T17:00:00Z",
        valid_at: "2025-05-28T18:00:00Z",
        category: "TMP",
        value: 16,
        value_text: "16",
        raw_ref: "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json",
      },
    ]);
    expect(await count(db, "SELECT count(*) AS n FROM forecasts WHERE value IS NULL AND category = 'WAV'")).toBeGreaterThan(0); // '-999' is missing, not -999
    expect((await runs(db)).map((r) => [r.job, r.location_id, r.status, r.rows_inserted, r.error_class])).toEqual([
      ["ultra_srt_ncst", "seoul", "succeeded", 1, null],
      ["vilage_fcst", "seoul", "succeeded", 944, null],
    ]);
    expect((await store.list()).map((o) => o.key)).toEqual([
      "csv/observations/seoul/2025/2025-05-28.csv",
      "raw/kma/getUltraSrtNcst/seoul/2025-05-29/0200.json",
      "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json",
    ]);
    const raw = (await store.get("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json"))!;
    expect(raw.contentType).toBe("application/json;charset=UTF-8");
    expect(JSON.parse(new TextDecoder().decode(raw.body)).response.body.items.item).toHaveLength(944);
    expect(raw.metadata["kma-url"]).toContain("serviceKey=***");
    const csv = new TextDecoder().decode((await store.get("csv/observations/seoul/2025/2025-05-28.csv"))!.body);
    expect(csv.split("\n")[0]).toBe(
      "observed_at,primary_source,temperature_source,temperature_c,humidity_pct,wind_speed_ms,wind_dir_deg,wind_u_ms,wind_v_ms,precipitation_mm,precipitation_type,pressure_hpa,sea_level_pressure_hpa,dew_point_c,vapor_pressure_hpa,total_cloud_tenths,sunshine_hr,solar_radiation_mj_m2,visibility_m,snow_depth_cm,ground_temp_c",
    );
    expect(csv.split("\n")[1]).toBe("2025-05-28T17:00:00Z,ultra_srt_ncst,ultra_srt_ncst,17,71,1.6,50,-1.2,-1,0,0,,,,,,,,,,");
  });

  it("is idempotent: a second run stores every hour once and counts everything as skipped", async () => {
    const { db, store, deps } = await setup();
    await runIngest(deps, { locations: [SEOUL], at: AT });
    const before = await store.list();
    const second = await runIngest(deps, { locations: [SEOUL], at: AT });
    expect(second.ok).toBe(true);
    expect(second.steps.map((s) => s.counts)).toEqual([
      { inserted: 0, updated: 0, skipped: 1 },
      { inserted: 0, updated: 0, skipped: 944 },
    ]);
    expect(second.steps[0]!.partitions).toEqual({ written: [], unchanged: ["csv/observations/seoul/2025/2025-05-28.csv"] });
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(1);
    expect(await count(db, "SELECT count(*) AS n FROM forecasts")).toBe(944);
    // Nothing in the store was rewritten (same keys, same upload times).
    expect(await store.list()).toEqual(before);
    // The rows still point at the run that wrote them.
    expect(await count(db, "SELECT count(*) AS n FROM forecasts WHERE ingest_run_id = 2")).toBe(944);
    expect((await runs(db)).map((r) => [r.status, r.rows_inserted, r.rows_skipped])).toEqual([
      ["succeeded", 1, 0],
      ["succeeded", 944, 0],
      ["succeeded", 0, 1],
      ["succeeded", 0, 944],
    ]);
  });

  it("falls back to the previous issue when the newest has no data yet, and records both", async () => {
    const { db, deps } = await setup();
    // 03:15 KST: the newest nowcast is 03:00 KST (not in the fixtures: NO_DATA), the previous is 02:00.
    const result = await runIngest(deps, { locations: [SEOUL], at: new Date("2025-05-28T18:15:00Z"), products: ["ultraSrtNcst"] });
    expect(result.ok).toBe(true);
    expect(result.steps[0]).toMatchObject({ baseDate: "20250529", baseTime: "0200", fallbackFrom: "20250529 0300" });
    const params = JSON.parse(String((await runs(db))[0]!.params));
    expect(params).toMatchObject({ operation: "getUltraSrtNcst", base_date: "20250529", base_time: "0200", fallback_from: "20250529 0300", nx: 60, ny: 127 });
  });

  it("records a failed run naming the cause when neither issue has data, and writes nothing", async () => {
    const { db, store, deps } = await setup();
    const result = await runIngest(deps, { locations: [SEOUL], at: new Date("2025-06-10T03:15:00Z") });
    expect(result.ok).toBe(false);
    const r = await runs(db);
    expect(r.map((x) => [x.job, x.status, x.error_class])).toEqual([
      ["ultra_srt_ncst", "failed", "KmaError:no-data"],
      ["vilage_fcst", "failed", "KmaError:no-data"],
    ]);
    expect(r[0]!.error_message).toBe(
      "getUltraSrtNcst: NO_DATA (resultCode 03) for issue 20250610 1200 KST and for the previous issue 20250610 1100 KST at nx=60 ny=127",
    );
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(0);
    expect(await count(db, "SELECT count(*) AS n FROM forecasts")).toBe(0);
    expect(await store.list()).toEqual([]);
  });

  it("writes no rows and records the failure when the raw payload cannot be stored", async () => {
    const { db, store, deps } = await setup(fixtureFetch(), failingPuts(createMemoryObjectStore(), /getVilageFcst/));
    const result = await runIngest(deps, { locations: [SEOUL], at: AT });
    expect(result.steps.map((s) => s.status)).toEqual(["succeeded", "failed"]);
    expect(result.steps[1]!.error).toEqual({
      class: "ObjectStoreError:storage",
      message: 'object store put "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json": injected failure: disk full (ENOSPC)',
    });
    expect(await count(db, "SELECT count(*) AS n FROM forecasts")).toBe(0);
    expect((await runs(db))[1]).toMatchObject({ status: "failed", error_class: "ObjectStoreError:storage", rows_inserted: 0 });
    expect((await store.list()).map((o) => o.key)).not.toContain("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json");
  });

  it("rolls the whole step back when the database fails in the middle of its rows", async () => {
    const { db, store, deps } = await setup();
    // A real failure inside the transaction: the rows before SKY are written, then SQLite aborts.
    await db.execute(
      "CREATE TRIGGER fail_on_sky BEFORE INSERT ON forecasts WHEN NEW.category = 'SKY' BEGIN SELECT RAISE(ABORT, 'injected: disk I/O error'); END",
    );
    const result = await runIngest(deps, { locations: [SEOUL], at: AT });
    expect(result.steps.map((s) => s.status)).toEqual(["succeeded", "failed"]);
    expect(result.steps[1]!.error!.message).toContain("injected: disk I/O error");
    expect(await count(db, "SELECT count(*) AS n FROM forecasts")).toBe(0);
    const failed = (await runs(db))[1]!;
    expect(failed).toMatchObject({ status: "failed", rows_inserted: 0, rows_updated: 0, rows_skipped: 0 });
    expect(String(failed.error_class)).toMatch(/^Libsql(Batch)?Error:SQLITE_CONSTRAINT/);
    // The raw payload was stored before the transaction (documented): the same bytes the next run writes.
    expect(await store.head("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json")).not.toBeNull();
    // The nowcast step before it committed on its own.
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(1);
    // After the fault is gone, the next run writes the step completely.
    await db.execute("DROP TRIGGER fail_on_sky");
    const again = await runIngest(deps, { locations: [SEOUL], at: AT, products: ["vilageFcst"] });
    expect(again.steps[0]!.counts).toEqual({ inserted: 944, updated: 0, skipped: 0 });
  });

  it("keeps going after a failed step and never stores or logs the service key", async () => {
    const { db, store, logger, deps } = await setup(
      fixtureFetch((url, n) =>
        n === 0
          ? new Response(
              `<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR ${new URL(url).searchParams.get("serviceKey")}</returnAuthMsg><returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>`,
              {
                status: 200,
                headers: { "content-type": "text/xml;charset=UTF-8" },
              },
            )
          : undefined,
      ),
    );
    const result = await runIngest(deps, { locations: [SEOUL], at: AT });
    expect(result.steps.map((s) => [s.status, s.error?.class])).toEqual([
      ["failed", "KmaError:auth"],
      ["succeeded", undefined],
    ]);
    const text = [await allDatabaseText(db), await allObjectText(store), JSON.stringify(logger.records), JSON.stringify(result)].join("\n");
    for (const form of keyForms(FAKE_SERVICE_KEY)) expect(text).not.toContain(form);
    expect(text).toContain("SERVICE_KEY_IS_NOT_REGISTERED_ERROR");
  });
});
