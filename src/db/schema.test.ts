// Migration 0001's schema against real libSQL: the constraints reject what must never be stored,
// observations_best applies the source precedence per field, and the upserts are idempotent.
import { beforeEach, describe, expect, it } from "vitest";
import { createClient } from "@libsql/client";
import type { Client } from "@libsql/client";
import { fixedClock } from "../ports/clock.ts";
import { forecastUpsert } from "./forecasts.ts";
import { finishIngestRun, startIngestRun } from "./ingest-runs.ts";
import { migrate } from "./migrate.ts";
import { observationUpsert } from "./observations.ts";
import type { ObservationRow } from "./observations.ts";
import { countUpserts, upsertBatch } from "./upsert-counts.ts";

let db: Client;
beforeEach(async () => {
  db = createClient({ url: ":memory:" });
  await migrate(db, { clock: fixedClock("2025-05-29T00:00:00Z") });
});

const T = "2025-05-29T14:00:00Z";
const NOW = "2025-05-29T14:12:00Z";

async function insertObservation(cols: Record<string, unknown>): Promise<void> {
  const row = { location_id: "seoul", observed_at: T, source: "asos", ingested_at: NOW, updated_at: NOW, ...cols };
  const names = Object.keys(row);
  await db.execute({ sql: `INSERT INTO observations (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`, args: Object.values(row) as never });
}

async function rejects(run: () => Promise<unknown>, message: RegExp): Promise<void> {
  await expect(run()).rejects.toThrow(message);
}

describe("observations constraints", () => {
  it("accepts a well-formed row", async () => {
    await insertObservation({ temperature_c: 18.1, humidity_pct: 60, precipitation_type: 0 });
    expect((await db.execute("SELECT temperature_c, typeof(precipitation_type) AS t FROM observations")).rows[0]).toMatchObject({
      temperature_c: 18.1,
      t: "integer",
    });
  });

  it.each([
    "2025-05-29T14:00:00.000Z", // milliseconds
    "2025-05-29T14:30:00Z", // not on the hour
    "2025-05-29 14:00:00", // space, no zone
    "2025-05-29T23:00:00+09:00", // an offset instead of Z
    "2025-02-30T00:00:00Z", // no such day
    "20250529T140000Z", // strftime cannot read it (NULL): must still be refused
    "not a time",
    "",
    "2025-05-29T14:00:00", // no zone
  ])("rejects observed_at %j", async (observedAt) => {
    await rejects(() => insertObservation({ observed_at: observedAt }), /CHECK constraint failed: observed_at/);
  });

  it.each(["Seoul", "seoul-", "se--oul", "1seoul", "seo ul", ""])("rejects location_id %j", async (locationId) => {
    await rejects(() => insertObservation({ location_id: locationId }), /CHECK constraint failed/);
  });

  it("rejects a source that has no precedence, also when updating", async () => {
    await rejects(() => insertObservation({ source: "aws" }), /observations.source is not in observation_sources/);
    await insertObservation({});
    await rejects(() => db.execute("UPDATE observations SET source = 'aws'"), /observations.source is not in observation_sources/);
  });

  it.each([
    { column: "temperature_c", value: -999 },
    { column: "temperature_c", value: 900 },
    { column: "humidity_pct", value: 101 },
    { column: "wind_speed_ms", value: -1 },
    { column: "wind_dir_deg", value: 361 },
    { column: "precipitation_mm", value: -0.1 },
    { column: "precipitation_type", value: 8 },
    { column: "pressure_hpa", value: 0 },
    { column: "total_cloud_tenths", value: 11 },
  ])("rejects $column = $value (a KMA missing-value sentinel or impossible value)", async ({ column, value }) => {
    await rejects(() => insertObservation({ [column]: value }), new RegExp(`CHECK constraint failed: ${column}`));
  });

  it("is STRICT: text is not silently stored in a number column", async () => {
    await rejects(() => insertObservation({ temperature_c: "warm" }), /cannot store TEXT value in REAL column observations.temperature_c/);
    await rejects(() => insertObservation({ precipitation_type: 1.5 }), /cannot store REAL value in INTEGER column/);
  });

  it("keeps updated_at at or after ingested_at", async () => {
    await rejects(() => insertObservation({ updated_at: "2025-05-29T14:11:59Z" }), /CHECK constraint failed: updated_at/);
  });
});

describe("observations_best: per-field source precedence", () => {
  it("takes each field from the best source that reported it", async () => {
    // ASOS reported the hour but its thermometer failed; the nowcast has temperature but no pressure.
    await insertObservation({ source: "asos", temperature_c: null, pressure_hpa: 1003.3, humidity_pct: 38 });
    await insertObservation({ source: "ultra_srt_ncst", temperature_c: 12.9, humidity_pct: 41, wind_u_ms: 0.3 });
    await insertObservation({ source: "import", temperature_c: 12.5, humidity_pct: 40, dew_point_c: -1.2 });
    const row = (await db.execute("SELECT * FROM observations_best")).rows[0]!;
    expect({ ...row }).toMatchObject({
      location_id: "seoul",
      observed_at: T,
      primary_source: "asos",
      temperature_source: "ultra_srt_ncst",
      temperature_c: 12.9,
      humidity_pct: 38,
      pressure_hpa: 1003.3,
      wind_u_ms: 0.3,
      dew_point_c: -1.2,
      wind_speed_ms: null,
    });
  });

  it("has one row per location and hour, and follows a change of precedence", async () => {
    await insertObservation({ source: "asos", temperature_c: 18.1 });
    await insertObservation({ source: "ultra_srt_ncst", temperature_c: 18.5 });
    await insertObservation({ source: "import", observed_at: "2025-05-29T15:00:00Z", temperature_c: 17 });
    await insertObservation({ source: "import", location_id: "busan", temperature_c: 21 });
    const rows = async () =>
      (
        await db.execute("SELECT location_id, observed_at, temperature_source, temperature_c FROM observations_best ORDER BY location_id, observed_at")
      ).rows.map((r) => ({ ...r }));
    expect(await rows()).toEqual([
      { location_id: "busan", observed_at: T, temperature_source: "import", temperature_c: 21 },
      { location_id: "seoul", observed_at: T, temperature_source: "asos", temperature_c: 18.1 },
      { location_id: "seoul", observed_at: "2025-05-29T15:00:00Z", temperature_source: "import", temperature_c: 17 },
    ]);
    await db.batch(["UPDATE observation_sources SET precedence = 10 WHERE source = 'asos'"], "write");
    expect((await rows())[1]).toMatchObject({ temperature_source: "ultra_srt_ncst", temperature_c: 18.5 });
  });
});

describe("idempotent upserts", () => {
  const row = (values: ObservationRow["values"], extra: Partial<ObservationRow> = {}): ObservationRow => ({
    locationId: "seoul",
    observedAt: "2025-05-29T14:00:00.000Z", // toISOString() form is accepted and normalized
    source: "ultra_srt_ncst",
    values,
    ...extra,
  });

  it("inserts, then changes nothing when the same hour is ingested again, then updates a correction", async () => {
    const first = countUpserts(
      await db.batch(
        upsertBatch([observationUpsert(row({ temperature_c: 18.5, humidity_pct: 60 }, { rawRef: "raw/a.json" }), new Date("2025-05-29T14:12:30.5Z"))]),
        "write",
      ),
    );
    expect(first).toEqual({ inserted: 1, updated: 0, skipped: 0 });
    const before = (await db.execute("SELECT * FROM observations")).rows.map((r) => ({ ...r }));
    expect(before[0]).toMatchObject({ observed_at: T, ingested_at: "2025-05-29T14:12:30Z", updated_at: "2025-05-29T14:12:30Z", raw_ref: "raw/a.json" });

    // Re-running the hour (new raw object, a later clock) changes nothing at all.
    const again = countUpserts(
      await db.batch(
        upsertBatch([observationUpsert(row({ temperature_c: 18.5, humidity_pct: 60 }, { rawRef: "raw/b.json" }), new Date("2025-05-29T15:12:00Z"))]),
        "write",
      ),
    );
    expect(again).toEqual({ inserted: 0, updated: 0, skipped: 1 });
    expect((await db.execute("SELECT * FROM observations")).rows.map((r) => ({ ...r }))).toEqual(before);

    // A corrected report replaces the values and the provenance; ingested_at stays.
    const fixed = countUpserts(
      await db.batch(
        upsertBatch([observationUpsert(row({ temperature_c: 18.4, humidity_pct: 60 }, { rawRef: "raw/c.json" }), new Date("2025-05-29T16:00:00Z"))]),
        "write",
      ),
    );
    expect(fixed).toEqual({ inserted: 0, updated: 1, skipped: 0 });
    expect((await db.execute("SELECT temperature_c, raw_ref, ingested_at, updated_at FROM observations")).rows[0]).toMatchObject({
      temperature_c: 18.4,
      raw_ref: "raw/c.json",
      ingested_at: "2025-05-29T14:12:30Z",
      updated_at: "2025-05-29T16:00:00Z",
    });
  });

  it("refuses rows the table would refuse, before sending them", () => {
    expect(() => observationUpsert(row({ temperature_c: 1 }, { observedAt: "2025-05-29T14:30:00Z" }), new Date())).toThrow(/on the hour/);
    expect(() => observationUpsert(row({ temperature_c: Number.NaN }), new Date())).toThrow(/finite number/);
    expect(() => observationUpsert(row({ temprature_c: 1 } as never), new Date())).toThrow(/unknown observation field/);
  });

  it("upserts forecast values idempotently, keyed by product, issue time, valid hour and category", async () => {
    const base = { locationId: "seoul", product: "vilage_fcst" as const, issuedAt: "2025-05-28T17:00:00Z", validAt: "2025-05-28T18:00:00Z" };
    const values = [
      { ...base, category: "TMP", value: 16, valueText: "16" },
      { ...base, category: "PCP", value: 0, valueText: "강수없음" },
      { ...base, category: "WAV", value: null, valueText: "-999" },
    ];
    const now = new Date("2025-05-28T17:11:00Z");
    expect(countUpserts(await db.batch(upsertBatch(values.map((v) => forecastUpsert(v, now))), "write"))).toEqual({ inserted: 3, updated: 0, skipped: 0 });
    expect(countUpserts(await db.batch(upsertBatch(values.map((v) => forecastUpsert(v, now))), "write"))).toEqual({ inserted: 0, updated: 0, skipped: 3 });
    const later = { ...base, issuedAt: "2025-05-28T20:00:00Z", validAt: "2025-05-28T21:00:00Z", category: "TMP", value: 15, valueText: "15" };
    expect(
      countUpserts(await db.batch(upsertBatch([forecastUpsert(later, now), forecastUpsert({ ...values[0]!, value: 16.0, valueText: "16.0" }, now)]), "write")),
    ).toEqual({
      inserted: 1,
      updated: 1,
      skipped: 0,
    });
    const wav = (await db.execute("SELECT value, value_text FROM forecasts WHERE category = 'WAV'")).rows[0]!;
    expect({ ...wav }).toEqual({ value: null, value_text: "-999" });
    await rejects(
      () => db.execute(forecastUpsert({ ...base, validAt: "2025-05-28T16:00:00Z", category: "TMP", value: 1, valueText: "1" }, now).insert),
      /CHECK constraint failed: valid_at/,
    );
    await rejects(
      () => db.execute(forecastUpsert({ ...base, category: "tmp", value: 1, valueText: "1" }, now).insert),
      /CHECK constraint failed: length\(category\)/,
    );
  });
});

describe("ingest_runs", () => {
  it("records a run from start to success with its counters", async () => {
    const started = await db.execute(
      startIngestRun({
        job: "ultra_srt_ncst",
        locationId: "seoul",
        params: { base_date: "20250529", base_time: "2300", nx: 60, ny: 127 },
        startedAt: new Date("2025-05-29T14:15:00.250Z"),
      }),
    );
    const id = Number(started.rows[0]!.id);
    const done = await db.execute(
      finishIngestRun({ id, finishedAt: new Date("2025-05-29T14:15:02Z"), status: "succeeded", counts: { inserted: 8, updated: 0, skipped: 0 } }),
    );
    expect(done.rowsAffected).toBe(1);
    const again = await db.execute(
      finishIngestRun({ id, finishedAt: new Date("2025-05-29T14:15:03Z"), status: "succeeded", counts: { inserted: 0, updated: 0, skipped: 8 } }),
    );
    expect(again.rowsAffected).toBe(0); // a run is finished once
    const row = (await db.execute("SELECT * FROM ingest_runs")).rows[0]!;
    expect({ ...row }).toMatchObject({
      job: "ultra_srt_ncst",
      status: "succeeded",
      started_at: "2025-05-29T14:15:00Z",
      finished_at: "2025-05-29T14:15:02Z",
      rows_inserted: 8,
      error_class: null,
    });
    expect(JSON.parse(String(row.params))).toEqual({ base_date: "20250529", base_time: "2300", nx: 60, ny: 127 });
  });

  it("stores a failure with its class and a redacted, bounded message", async () => {
    const id = Number((await db.execute(startIngestRun({ job: "vilage_fcst", startedAt: new Date("2025-05-29T14:15:00Z") }))).rows[0]!.id);
    const key = "SERVICE-KEY-abc123%2B%3D";
    await db.execute(
      finishIngestRun({
        id,
        finishedAt: new Date("2025-05-29T14:16:00Z"),
        status: "failed",
        counts: { inserted: 0, updated: 0, skipped: 0 },
        errorClass: "KmaError:quota",
        errorMessage:
          `GET http://apis.data.go.kr/...?serviceKey=${key}&pageNo=1 answered 22 LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR ` + "x".repeat(5000),
        secrets: [key],
      }),
    );
    const row = (await db.execute("SELECT status, error_class, error_message FROM ingest_runs")).rows[0]!;
    expect(row.status).toBe("failed");
    expect(row.error_class).toBe("KmaError:quota");
    expect(String(row.error_message)).not.toContain(key);
    expect(String(row.error_message)).toContain("serviceKey=[REDACTED]");
    expect(String(row.error_message).length).toBe(4000);
  });

  it.each(
    (
      [
        [
          "a running run with a finish time",
          "INSERT INTO ingest_runs (job, started_at, finished_at, status) VALUES ('j', '2025-05-29T14:00:00Z', '2025-05-29T14:01:00Z', 'running')",
        ],
        ["a finished run without a finish time", "INSERT INTO ingest_runs (job, started_at, status) VALUES ('j', '2025-05-29T14:00:00Z', 'succeeded')"],
        [
          "a failed run without an error class",
          "INSERT INTO ingest_runs (job, started_at, finished_at, status) VALUES ('j', '2025-05-29T14:00:00Z', '2025-05-29T14:01:00Z', 'failed')",
        ],
        [
          "a success with an error",
          "INSERT INTO ingest_runs (job, started_at, finished_at, status, error_class) VALUES ('j', '2025-05-29T14:00:00Z', '2025-05-29T14:01:00Z', 'succeeded', 'E')",
        ],
        [
          "a finish before the start",
          "INSERT INTO ingest_runs (job, started_at, finished_at, status) VALUES ('j', '2025-05-29T14:00:00Z', '2025-05-29T13:00:00Z', 'succeeded')",
        ],
        [
          "an unknown status",
          "INSERT INTO ingest_runs (job, started_at, finished_at, status) VALUES ('j', '2025-05-29T14:00:00Z', '2025-05-29T14:01:00Z', 'done')",
        ],
        ["params that are not a JSON object", "INSERT INTO ingest_runs (job, started_at, params) VALUES ('j', '2025-05-29T14:00:00Z', '[1,2]')"],
        ["negative counters", "INSERT INTO ingest_runs (job, started_at, rows_inserted) VALUES ('j', '2025-05-29T14:00:00Z', -1)"],
        ["a start time that is not a time", "INSERT INTO ingest_runs (job, started_at) VALUES ('j', 'yesterday')"],
        [
          "a finish time that is not a time",
          "INSERT INTO ingest_runs (job, started_at, finished_at, status) VALUES ('j', '2025-05-29T14:00:00Z', 'later', 'succeeded')",
        ],
      ] as const
    ).map(([what, sql]) => ({ what, sql })),
  )("rejects $what", async ({ sql }) => {
    await rejects(() => db.execute(sql), /CHECK constraint failed/);
  });
});
