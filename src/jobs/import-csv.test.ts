// The import job on an in-memory database (runtime-agnostic). Inputs are small excerpts of the real
// files (data/seoul/asos108_hourly_20250430_20250529.csv, data/seoul/SeoulBikeData.csv); where a cell
// is edited to make a bad row, the test says so. The whole real files are imported in
// import-csv.node.test.ts.
import { describe, expect, it } from "vitest";
import { encodeCp949 } from "../../test/fixtures/import/cp949-encode.ts";
import { SEOUL, addLocation, createLocation } from "../locations/locations.ts";
import { fixedClock } from "../ports/clock.ts";
import { memoryLogger } from "../ports/logger.ts";
import type { Database } from "../ports/database.ts";
import { createMemoryObjectStore } from "../storage/memory-object-store.ts";
import { ImportFormatError, detectLayout } from "./import/csv-formats.ts";
import { parseObservationCsv } from "./import/parse-observation-csv.ts";
import { TextEncodingError, decodeCsvBytes } from "./import/text-encoding.ts";
import { ImportRequestError, runImportCsv } from "./import-csv.ts";
import { parseColumnMapping } from "./import/column-map.ts";
import type { JobDeps } from "./job-deps.ts";
import { migratedMemoryDb } from "./test-fakes.ts";

const ASOS_HEADER =
  "tm,rnum,stnId,stnNm,ta,taQcflg,rn,rnQcflg,ws,wsQcflg,wd,wdQcflg,hm,hmQcflg,pv,td,pa,paQcflg,ps,psQcflg,ss,ssQcflg,icsr,dsnw,hr3Fhsc,dc10Tca,dc10LmcsCa,clfmAbbrCd,lcsCh,vs,gndSttCd,dmstMtphNo,ts,tsQcflg,m005Te,m01Te,m02Te,m03Te";
const ASOS_ROWS = [
  "2025-04-30 00:00,1,108,서울,12.7,,,,0.8,,200,,38,,5.6,-1.2,1003.3,,1013.5,,,9,,,,0,0,,,2113,,,9.4,,15.2,15.0,16.0,15.2",
  "2025-04-30 01:00,2,108,서울,12.1,,,,1.7,,20,,42,,5.9,-0.4,1003.4,,1013.7,,,9,,,,0,0,,,2193,,,8.9,,14.7,14.6,15.8,15.2",
  "2025-04-30 02:00,3,108,서울,11.4,,,,1.5,,50,,44,,5.9,-0.4,1003.3,,1013.6,,,9,,,,0,0,,,2082,,,8.2,,14.3,14.1,15.5,15.1",
  "2025-04-30 03:00,4,108,서울,10.8,,,,2.1,,50,,48,,6.2,0.2,1003.1,,1013.4,,,9,,,,0,0,,,2043,,,7.7,,13.9,13.7,15.3,15.1",
];
const BIKE = [
  "Date,Rented Bike Count,Hour,Temperature(°C),Humidity(%),Wind speed (m/s),Visibility (10m),Dew point temperature(°C),Solar Radiation (MJ/m2),Rainfall(mm),Snowfall (cm),Seasons,Holiday,Functioning Day",
  "01-12-2017,254,0,-5.2,37,2.2,2000,-17.6,0,0,0,Winter,No Holiday,Yes",
  "01-12-2017,204,1,-5.5,38,0.8,2000,-17.6,0,0,0,Winter,No Holiday,Yes",
].join("\n");
const PORTAL = [
  "지점,지점명,일시,기온(°C),기온 QC플래그,강수량(mm),강수량 QC플래그,풍속(m/s),풍속 QC플래그,풍향(16방위),풍향 QC플래그,습도(%),습도 QC플래그,증기압(hPa),이슬점온도(°C),현지기압(hPa),현지기압 QC플래그,해면기압(hPa),해면기압 QC플래그,일조(hr),일조 QC플래그,일사(MJ/m2),일사 QC플래그,적설(cm),3시간신적설(cm),전운량(10분위),중하층운량(10분위),운형(운형약어),최저운고(100m ),시정(10m),지면상태(지면상태코드),현상번호(국내식),지면온도(°C),지면온도 QC플래그,5cm 지중온도(°C),10cm 지중온도(°C),20cm 지중온도(°C),30cm 지중온도(°C)",
  "108,서울,2025-05-01 00:00,17.4,,,,2.3,,140,,41,,8.1,3.9,999.5,,1009.5,,,9,,,,,3,0,,,2127,,,12.5,,17.1,16.5,16.4,15.3",
  "108,서울,2025-05-01 01:00,16.9,,,,1.2,,200,,44,,8.4,4.5,999.9,,1010.0,,,9,,,,,0,0,,,2136,,,11.5,,16.7,16.0,16.1,15.2",
].join("\r\n");

const utf8 = (text: string) => new TextEncoder().encode(text);

async function setup() {
  const db = await migratedMemoryDb();
  const objects = createMemoryObjectStore();
  const logger = memoryLogger();
  const deps: JobDeps = { db, objects, clock: fixedClock("2025-06-01T00:00:00Z"), logger };
  return { db, objects, logger, deps };
}

const count = async (db: Database, sql: string) => Number((await db.execute(sql)).rows[0]!.n);

describe("CSV layout and encoding detection", () => {
  it("tells the three layouts from their headers", () => {
    expect(detectLayout(ASOS_HEADER.split(",")).format).toBe("asos-api");
    expect(detectLayout(["tm", "ta"]).format).toBe("asos-api");
    expect(detectLayout(PORTAL.split("\r\n")[0]!.split(",")).format).toBe("kma-portal");
    expect(detectLayout(BIKE.split("\n")[0]!.split(",")).format).toBe("seoul-bike");
    expect(detectLayout(["Date", "Rented Bike Count", "Hour", "Temperature(�C)"]).values.map((v) => v.field)).toEqual(["temperature_c"]);
  });

  it("names what it expected when the header is none of them", () => {
    expect(() => detectLayout(["time", "temp"])).toThrow(ImportFormatError);
    expect(() => detectLayout(["time", "temp"])).toThrow(/cannot tell the CSV layout from its header \(time, temp\): expected the ASOS API field names/);
    expect(() => detectLayout(["tm", "hm"])).toThrow("the header has tm (ASOS API layout) but no ta column; tm and ta are required");
    expect(() => detectLayout(["지점", "일시", "습도(%)"])).toThrow(/no 기온\(°C\) column/);
  });

  it("reads UTF-8 (with or without BOM) and CP949, and refuses bytes that are neither", () => {
    expect(decodeCsvBytes(utf8(PORTAL))).toEqual({ text: PORTAL, encoding: "utf-8" });
    expect(decodeCsvBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8("tm,ta")]))).toEqual({ text: "tm,ta", encoding: "utf-8" });
    const cp949 = encodeCp949(PORTAL);
    expect(Array.from(encodeCp949("서울"))).toEqual([0xbc, 0xad, 0xbf, 0xef]);
    expect(decodeCsvBytes(cp949)).toEqual({ text: PORTAL, encoding: "cp949" });
    expect(() => decodeCsvBytes(new Uint8Array([0x74, 0x6d, 0xff, 0xff, 0x0a]))).toThrow(TextEncodingError);
  });

  it("reads the CP949 portal export to the same rows as its UTF-8 form, times converted from KST", () => {
    const a = parseObservationCsv(utf8(PORTAL));
    const b = parseObservationCsv(encodeCp949(PORTAL));
    expect(b.encoding).toBe("cp949");
    expect(b.rows).toEqual(a.rows);
    expect(a.rows[0]).toEqual({
      line: 2,
      observedAt: "2025-04-30T15:00:00Z",
      station: 108,
      values: {
        temperature_c: 17.4,
        precipitation_mm: null,
        wind_speed_ms: 2.3,
        wind_dir_deg: 140,
        humidity_pct: 41,
        vapor_pressure_hpa: 8.1,
        dew_point_c: 3.9,
        pressure_hpa: 999.5,
        sea_level_pressure_hpa: 1009.5,
        sunshine_hr: null,
        solar_radiation_mj_m2: null,
        snow_depth_cm: null,
        total_cloud_tenths: 3,
        visibility_m: 21270,
        ground_temp_c: 12.5,
      },
    });
  });
});

describe("import", () => {
  it("imports the ASOS API layout as source 'import', with a run row and CSV partitions", async () => {
    const { db, objects, deps } = await setup();
    const r = await runImportCsv(deps, { bytes: utf8([ASOS_HEADER, ...ASOS_ROWS].join("\n")), fileName: "asos.csv" });
    expect(r).toMatchObject({
      format: "asos-api",
      encoding: "utf-8",
      locationId: "seoul",
      station: 108,
      status: "succeeded",
      rowsRead: 4,
      rowsValid: 4,
      problems: [],
    });
    expect(r.counts).toEqual({ inserted: 4, updated: 0, skipped: 0 });
    const row = (
      await db.execute("SELECT observed_at, source, temperature_c, visibility_m, raw_ref, ingest_run_id FROM observations ORDER BY observed_at LIMIT 1")
    ).rows[0]!;
    expect({ ...row }).toEqual({
      observed_at: "2025-04-29T15:00:00Z",
      source: "import",
      temperature_c: 12.7,
      visibility_m: 21130,
      raw_ref: null,
      ingest_run_id: 1,
    });
    const run = (await db.execute("SELECT job, status, rows_inserted, params FROM ingest_runs")).rows[0]!;
    expect(JSON.parse(String(run.params))).toEqual({
      file: "asos.csv",
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      format: "asos-api",
      encoding: "utf-8",
      station: 108,
      rows_read: 4,
      rows_valid: 4,
      bad_rows: 0,
      flagged_rows: 0,
      quality: {},
      strict: false,
    });
    expect({ job: run.job, status: run.status, rows_inserted: run.rows_inserted }).toEqual({ job: "import_csv", status: "succeeded", rows_inserted: 4 });
    expect((await objects.list()).map((o) => o.key)).toEqual(["csv/observations/seoul/2025/2025-04-29.csv"]);
  });

  it("is idempotent: importing the same file again changes nothing", async () => {
    const { db, objects, deps } = await setup();
    const bytes = utf8(BIKE);
    await runImportCsv(deps, { bytes, fileName: "bike.csv" });
    const before = await objects.list();
    const again = await runImportCsv(deps, { bytes, fileName: "bike.csv" });
    expect(again.counts).toEqual({ inserted: 0, updated: 0, skipped: 2 });
    expect(await objects.list()).toEqual(before);
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(2);
    // 01-12-2017 hour 0 KST = 2017-11-30T15:00Z; Visibility (10m) 2000 = 20 000 m; Snowfall -> snow depth.
    const first = (
      await db.execute("SELECT observed_at, temperature_c, visibility_m, snow_depth_cm, dew_point_c FROM observations ORDER BY observed_at LIMIT 1")
    ).rows[0]!;
    expect({ ...first }).toEqual({ observed_at: "2017-11-30T15:00:00Z", temperature_c: -5.2, visibility_m: 20000, snow_depth_cm: 0, dew_point_c: -17.6 });
  });

  it("reports bad rows with line and column, skips them and imports the rest", async () => {
    const { db, deps } = await setup();
    // Edited copies of real rows: line 3 ta "abc", line 4 hm 150, line 5 tm at :30, line 6 repeats
    // line 2's hour, line 7 lacks fields, line 8 is another station (no location has it: counted
    // per station, not per row).
    const text = [
      ASOS_HEADER,
      ASOS_ROWS[0]!,
      ASOS_ROWS[1]!.replace(",12.1,", ",abc,"),
      ASOS_ROWS[2]!.replace(",44,,5.9,", ",150,,5.9,"),
      ASOS_ROWS[3]!.replace("03:00", "03:30"),
      ASOS_ROWS[0]!,
      "2025-04-30 05:00,6,108",
      ASOS_ROWS[3]!.replace(",108,서울,", ",119,수원,").replace("03:00", "06:00"),
      ASOS_ROWS[3]!.replace("03:00", "07:00"),
    ].join("\n");
    const r = await runImportCsv(deps, { bytes: utf8(text), fileName: "edited.csv" });
    expect(r.status).toBe("succeeded");
    expect(r.problems).toEqual([
      { line: 3, column: "ta (column 5)", message: '"abc" is not a number' },
      { line: 4, column: "hm (column 13)", message: "150: humidity_pct 150 is outside 0..100" },
      { line: 5, column: "tm (column 1)", message: 'tm "2025-04-30 03:30" is not on the hour' },
      { line: 6, column: "tm (column 1)", message: "the hour 2025-04-29T15:00:00Z (UTC) already appeared on line 2" },
      { line: 7, column: null, message: "the row has 3 fields, the header has 38" },
    ]);
    expect(r.unmappedStations).toEqual([{ station: "119", rows: 1 }]);
    expect(r.counts).toEqual({ inserted: 2, updated: 0, skipped: 0 });
    expect((await db.execute("SELECT observed_at FROM observations ORDER BY observed_at")).rows.map((x) => x.observed_at)).toEqual([
      "2025-04-29T15:00:00Z",
      "2025-04-29T22:00:00Z",
    ]);
  });

  it("with strict, rejects the whole file on one bad row and writes nothing at all", async () => {
    const { db, objects, deps } = await setup();
    const text = [ASOS_HEADER, ASOS_ROWS[0]!, ASOS_ROWS[1]!.replace(",12.1,", ",-999,")].join("\n");
    const r = await runImportCsv(deps, { bytes: utf8(text), fileName: "bad.csv", strict: true });
    expect(r.status).toBe("rejected");
    expect(r.problems).toEqual([{ line: 3, column: "ta (column 5)", message: "-999: temperature_c -999 is outside -80..60" }]);
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(0);
    expect(await count(db, "SELECT count(*) AS n FROM ingest_runs")).toBe(0);
    expect(await objects.list()).toEqual([]);
  });

  it("rolls the whole import back when the database fails part-way, and records the failed run", async () => {
    const { db, objects, deps } = await setup();
    await db.execute(
      "CREATE TRIGGER fail_third BEFORE INSERT ON observations WHEN NEW.observed_at = '2025-04-29T17:00:00Z' BEGIN SELECT RAISE(ABORT, 'injected: database full'); END",
    );
    const r = await runImportCsv(deps, { bytes: utf8([ASOS_HEADER, ...ASOS_ROWS].join("\n")), fileName: "asos.csv" });
    expect(r.status).toBe("failed");
    expect(r.error!.message).toContain("injected: database full");
    expect(await count(db, "SELECT count(*) AS n FROM observations")).toBe(0);
    const run = (await db.execute("SELECT status, rows_inserted, error_class FROM ingest_runs")).rows[0]!;
    expect(run.status).toBe("failed");
    expect(run.rows_inserted).toBe(0);
    expect(String(run.error_class)).toMatch(/^Libsql(Batch)?Error:SQLITE_CONSTRAINT/);
    expect(await objects.list()).toEqual([]);
  });

  it("chooses the location by the file's station, or refuses when no location has it", async () => {
    const { deps } = await setup();
    const suwon = [ASOS_HEADER, ASOS_ROWS[0]!.replace(",108,서울,", ",119,수원,")].join("\n");
    await expect(runImportCsv(deps, { bytes: utf8(suwon), fileName: "suwon.csv" })).rejects.toThrow(ImportRequestError);
    await expect(runImportCsv(deps, { bytes: utf8(suwon), fileName: "suwon.csv" })).rejects.toThrow(
      /the file holds ASOS station 119, which no known location has \(known: seoul = station 108\): give --location/,
    );
    const locations = addLocation([SEOUL], { id: "suwon", name: "Suwon", lat: 37.2575, lon: 126.983, asosStationId: 119 });
    const r = await runImportCsv(deps, { bytes: utf8(suwon), fileName: "suwon.csv", locations });
    expect(r).toMatchObject({ locationId: "suwon", station: 119, status: "succeeded" });
    // A grid point without a station takes the file's station as given.
    const grid = createLocation({ id: "gangnam", name: "Gangnam", lat: 37.4979, lon: 127.0276 });
    expect(await runImportCsv(deps, { bytes: utf8(suwon), fileName: "suwon.csv", location: grid })).toMatchObject({
      locationId: "gangnam",
      station: 119,
      status: "succeeded",
    });
  });

  it("fills each station's location from a multi-station KMA portal export and reports stations no location has", async () => {
    const { db, deps } = await setup();
    // The real portal rows of station 108, plus copies edited to stations 119 (Suwon) and 133 (Daejeon).
    const [header, a, b] = PORTAL.split("\r\n") as [string, string, string];
    const text = [header, a, b, a.replace("108,서울,", "119,수원,"), b.replace("108,서울,", "119,수원,"), a.replace("108,서울,", "133,대전,")].join("\r\n");
    const locations = addLocation([SEOUL], { id: "suwon", name: "Suwon", lat: 37.2575, lon: 126.983, asosStationId: 119 });
    const r = await runImportCsv(deps, { bytes: utf8(text), fileName: "portal.csv", locations });
    expect(r.status).toBe("succeeded");
    expect(r.problems).toEqual([]);
    expect(r.locations.map((l) => [l.locationId, l.station, l.rows, l.counts.inserted, l.configured])).toEqual([
      ["seoul", 108, 2, 2, true],
      ["suwon", 119, 2, 2, true],
    ]);
    expect(r.unmappedStations).toEqual([{ station: "133", rows: 1 }]);
    expect(r.counts).toEqual({ inserted: 4, updated: 0, skipped: 0 });
    expect(
      (await db.execute("SELECT location_id, count(*) AS n FROM observations GROUP BY location_id ORDER BY location_id")).rows.map((x) => [x.location_id, x.n]),
    ).toEqual([
      ["seoul", 2],
      ["suwon", 2],
    ]);
    expect(await count(db, "SELECT count(*) AS n FROM ingest_runs WHERE status = 'succeeded'")).toBe(2);
    // --strict refuses the file while a station has no location.
    const strict = await runImportCsv(deps, { bytes: utf8(text), fileName: "portal.csv", locations, strict: true });
    expect(strict.status).toBe("rejected");
  });

  it("imports a column-mapped file into a location id that is not configured", async () => {
    const { db, deps } = await setup();
    const mapping = parseColumnMapping({
      time: { column: "t", format: "YYYY-MM-DD HH:mm" },
      fields: { temperature_c: "T", wind_dir_deg: { column: "wd", convert: "compass" } },
    });
    const text = "t,T,wd\n2016-01-01 00:00,1.5,NNW\n2016-01-01 01:00,NA,C\n";
    await expect(runImportCsv(deps, { bytes: utf8(text), fileName: "m.csv", mapping, timezone: "+08:00" })).rejects.toThrow(
      /the mapping has no station column: give --location <id>/,
    );
    await expect(runImportCsv(deps, { bytes: utf8(text), fileName: "m.csv", mapping, locationId: "x" })).rejects.toThrow(/no timezone: give --timezone/);
    const r = await runImportCsv(deps, { bytes: utf8(text), fileName: "m.csv", mapping, timezone: "+08:00", locationId: "somewhere-else" });
    expect(r).toMatchObject({
      status: "succeeded",
      format: "mapped",
      locationId: "somewhere-else",
      counts: { inserted: 2 },
      locations: [{ configured: false }],
    });
    expect((await db.execute("SELECT observed_at, temperature_c, wind_dir_deg FROM observations ORDER BY observed_at")).rows.map((x) => ({ ...x }))).toEqual([
      { observed_at: "2015-12-31T16:00:00Z", temperature_c: 1.5, wind_dir_deg: 337.5 },
      { observed_at: "2015-12-31T17:00:00Z", temperature_c: null, wind_dir_deg: null },
    ]);
    const run = (await db.execute("SELECT location_id, json_extract(params, '$.timezone') AS tz, json_extract(params, '$.format') AS f FROM ingest_runs"))
      .rows[0]!;
    expect({ ...run }).toEqual({ location_id: "somewhere-else", tz: "+08:00", f: "mapped" });
  });

  it("ranks imported values below both KMA sources", async () => {
    const { db, deps } = await setup();
    // A real ASOS row of 2025-04-30 00:00 KST as 'import', then a nowcast row for the same hour
    // (temperature only, made up to tell the sources apart).
    await runImportCsv(deps, { bytes: utf8([ASOS_HEADER, ASOS_ROWS[0]!].join("\n")), fileName: "a.csv" });
    await db.execute(
      "INSERT INTO observations (location_id, observed_at, source, temperature_c, ingested_at, updated_at) VALUES ('seoul', '2025-04-29T15:00:00Z', 'ultra_srt_ncst', 13.0, '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z')",
    );
    const best = (await db.execute("SELECT primary_source, temperature_source, temperature_c, pressure_hpa FROM observations_best")).rows[0]!;
    expect({ ...best }).toEqual({ primary_source: "ultra_srt_ncst", temperature_source: "ultra_srt_ncst", temperature_c: 13, pressure_hpa: 1003.3 });
  });
});
