// Real data through the schema: 720 hourly ASOS observations for Seoul (station 108, 2025-04-30 ..
// 2025-05-29 KST; data/seoul/PROVENANCE.md) go into the embedded file twice. The first pass inserts
// every hour, the second changes nothing; the view then serves them per UTC hour.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openNodeDatabase } from "../adapters/node/database.ts";
import type { Database } from "../ports/database.ts";
import { migrate } from "./migrate.ts";
import { observationUpsert } from "./observations.ts";
import { ASOS_COLUMNS } from "../jobs/kma-rows.ts";
import type { ObservationRow } from "./observations.ts";
import { addCounts, countUpserts, upsertBatch } from "./upsert-counts.ts";
import type { UpsertCounts } from "./upsert-counts.ts";

const CSV = new URL("../../data/seoul/asos108_hourly_20250430_20250529.csv", import.meta.url);

/** 'YYYY-MM-DD HH:MM' in KST (UTC+9) -> UTC Date. */
function kst(tm: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(tm);
  if (!m) throw new Error(`bad tm ${tm}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]) - 9, Number(m[5])));
}

function toRows(records: Record<string, string>[]): ObservationRow[] {
  return records.map((r) => {
    const values: ObservationRow["values"] = {};
    for (const [field, column, scale] of ASOS_COLUMNS) values[column] = r[field] === "" || r[field] === undefined ? null : Number(r[field]) * scale;
    return { locationId: "seoul", observedAt: kst(r.tm!), source: "asos", values, rawRef: "kma/asos/108/2025-05-29.json" };
  });
}

async function ingest(db: Database, rows: ObservationRow[], now: Date): Promise<UpsertCounts> {
  let total: UpsertCounts = { inserted: 0, updated: 0, skipped: 0 };
  for (let i = 0; i < rows.length; i += 100) {
    const batch = rows.slice(i, i + 100).map((row) => observationUpsert(row, now));
    total = addCounts(total, countUpserts(await db.batch(upsertBatch(batch), "write")));
  }
  return total;
}

describe("real ASOS hours through observations", () => {
  let dataDir: string;
  let db: Database;
  let rows: ObservationRow[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "nalssi-asos-"));
    db = (await openNodeDatabase({ dataDir, env: {} })).db;
    await migrate(db);
    rows = toRows(parse(await readFile(CSV, "utf8"), { columns: true, skip_empty_lines: true }) as Record<string, string>[]);
  });
  afterAll(async () => {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("inserts every hour once, then re-running the month changes nothing", async () => {
    expect(rows).toHaveLength(720);
    expect(await ingest(db, rows, new Date("2025-05-30T01:00:00Z"))).toEqual({ inserted: 720, updated: 0, skipped: 0 });
    const snapshot = async () => (await db.execute("SELECT * FROM observations ORDER BY observed_at")).rows.map((r) => JSON.stringify(r));
    const before = await snapshot();
    expect(await ingest(db, rows, new Date("2025-05-31T01:00:00Z"))).toEqual({ inserted: 0, updated: 0, skipped: 720 });
    expect(await snapshot()).toEqual(before);
  });

  it("stores KST hours as UTC and serves them through observations_best", async () => {
    const first = (
      await db.execute("SELECT observed_at, temperature_c, pressure_hpa, visibility_m, primary_source FROM observations_best ORDER BY observed_at LIMIT 1")
    ).rows[0]!;
    // CSV row 1: tm 2025-04-30 00:00 KST, ta 12.7, pa 1003.3, vs 2113 (x 10 m)
    expect({ ...first }).toEqual({
      observed_at: "2025-04-29T15:00:00Z",
      temperature_c: 12.7,
      pressure_hpa: 1003.3,
      visibility_m: 21130,
      primary_source: "asos",
    });
    const hours = await db.execute("SELECT count(*) AS n, min(observed_at) AS a, max(observed_at) AS b FROM observations_best WHERE location_id = 'seoul'");
    expect({ ...hours.rows[0]! }).toEqual({ n: 720, a: "2025-04-29T15:00:00Z", b: "2025-05-29T14:00:00Z" });
  });

  it("counts a corrected hour as updated", async () => {
    const fixed = { ...rows[10]!, values: { ...rows[10]!.values, temperature_c: (rows[10]!.values.temperature_c ?? 0) + 0.1 } };
    expect(await ingest(db, [fixed, rows[11]!], new Date("2025-06-01T00:00:00Z"))).toEqual({ inserted: 0, updated: 1, skipped: 1 });
  });
});
