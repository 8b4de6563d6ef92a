// Column mappings: validation (one-line errors naming the problem), conversions, time building with a
// UTC offset, and the station column. Rows are the first real rows of
// data/beijing-multisite/PRSA_Data_Aotizhongxin_20150301-20170228.csv unless a test says it edited one.
import { describe, expect, it } from "vitest";
import { MappingError, compassToDegrees, compileColumnMapping, parseColumnMapping, parseColumnMappingJson, parseUtcOffset, slugOf } from "./column-map.ts";
import { parseObservationCsv } from "./parse-observation-csv.ts";
import BEIJING_MAPPING from "../../../data/beijing-multisite/mapping.json" with { type: "json" };

const HEADER = "No,year,month,day,hour,PM2.5,PM10,SO2,NO2,CO,O3,TEMP,PRES,DEWP,RAIN,wd,WSPM,station";
const ROWS = [
  "1,2015,3,1,0,69,271,8,44,800,40,-1.8,1021,-4.6,0,SE,0.4,Aotizhongxin",
  "2,2015,3,1,1,35,196,4,20,400,61,-2.6,1020.8,-5.9,0,ESE,0.5,Aotizhongxin",
];
const utf8 = (text: string) => new TextEncoder().encode(text);

function mappingError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MappingError);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error("no MappingError thrown");
}

describe("column mapping validation", () => {
  it("accepts the shipped Beijing mapping", () => {
    const m = parseColumnMapping(BEIJING_MAPPING);
    expect(Object.keys(m.fields)).toEqual(["temperature_c", "pressure_hpa", "dew_point_c", "precipitation_mm", "wind_dir_deg", "wind_speed_ms"]);
    expect(m.timezone).toBe("+08:00");
  });

  it("names an unknown field, a missing time, a bad timezone, a bad location id, bad JSON", () => {
    const base = { time: { column: "t" }, fields: { temperature_c: "T" } };
    expect(mappingError(() => parseColumnMapping({ ...base, fields: { temprature_c: "T" } }))).toMatch(
      /unknown field "temprature_c" \(known: temperature_c, humidity_pct/,
    );
    expect(mappingError(() => parseColumnMapping({ fields: { temperature_c: "T" } }))).toMatch(/^invalid mapping: time: /);
    expect(mappingError(() => parseColumnMapping({ ...base, timezone: "Asia/Shanghai" }))).toBe(
      'timezone "Asia/Shanghai" is not a fixed UTC offset like +08:00, -05:30 or UTC',
    );
    expect(mappingError(() => parseColumnMapping({ ...base, station: { column: "s", locations: { A: "Beijing A" } } }))).toMatch(
      /"A" -> "Beijing A" is not a location id/,
    );
    expect(mappingError(() => parseColumnMapping({ ...base, station: { column: "s" } }))).toMatch(/station needs `locations`/);
    expect(mappingError(() => parseColumnMapping({ ...base, fields: { temperature_c: { column: "T", scale: 0 } } }))).toMatch(/scale must not be 0/);
    expect(mappingError(() => parseColumnMapping({ ...base, extra: 1 }))).toMatch(/extra/);
    expect(mappingError(() => parseColumnMappingJson("{ time: 1 }", "--map m.json"))).toMatch(/^--map m.json is not valid JSON: /);
  });

  it("names a mapped column that is not in the header, and a missing timezone", () => {
    const m = parseColumnMapping(BEIJING_MAPPING);
    const header = HEADER.replace(",TEMP,", ",TEMPERATURE,").split(",");
    expect(mappingError(() => compileColumnMapping(m, header))).toMatch(/^the mapping's temperature_c column "TEMP" is not in the header \(No, year, month, /);
    const noTz = parseColumnMapping({ time: { column: "t" }, fields: { temperature_c: "T" } });
    expect(mappingError(() => compileColumnMapping(noTz, ["t", "T"]))).toMatch(/no timezone: give --timezone/);
    expect(mappingError(() => compileColumnMapping(noTz, ["t", "T"], { timezone: "+8" }))).toMatch(/timezone "\+8" is not a fixed UTC offset/);
  });

  it("reads fixed UTC offsets", () => {
    expect(parseUtcOffset("+08:00")).toBe(8 * 3_600_000);
    expect(parseUtcOffset("+0900")).toBe(9 * 3_600_000);
    expect(parseUtcOffset("-05:30")).toBe(-5.5 * 3_600_000);
    expect(parseUtcOffset("UTC")).toBe(0);
    expect(parseUtcOffset("Z")).toBe(0);
    expect(() => parseUtcOffset("+15:00")).toThrow(MappingError);
    expect(() => parseUtcOffset("08:00")).toThrow(MappingError);
  });
});

describe("conversions", () => {
  it("turns the 16 compass points into degrees, calm into missing, anything else into undefined", () => {
    expect(["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"].map(compassToDegrees)).toEqual([
      0, 22.5, 45, 67.5, 90, 112.5, 135, 157.5, 180, 202.5, 225, 247.5, 270, 292.5, 315, 337.5,
    ]);
    expect(compassToDegrees(" nnw ")).toBe(337.5);
    expect(compassToDegrees("C")).toBeNull();
    expect(compassToDegrees("NNNW")).toBeUndefined();
  });

  it("slugs station names", () => {
    expect(slugOf("Aotizhongxin")).toBe("aotizhongxin");
    expect(slugOf(" Wan Shou  Xi_Gong ")).toBe("wan-shou-xi-gong");
    expect(slugOf("Zürich")).toBe("zurich");
  });
});

describe("parsing a file with a mapping", () => {
  const parse = (text: string, mapping: unknown, timezone?: string) =>
    parseObservationCsv(utf8(text), { layout: (h) => compileColumnMapping(parseColumnMapping(mapping), h, timezone ? { timezone } : {}) });

  it("builds the hour from year/month/day/hour on a UTC+8 clock, converts compass and NA", () => {
    const edited = ROWS[1]!.replace(",-2.6,1020.8,", ",NA,1020.8,"); // TEMP edited to NA
    const p = parse([HEADER, ROWS[0], edited].join("\n"), BEIJING_MAPPING);
    expect(p.problems).toEqual([]);
    expect(p.rows).toEqual([
      {
        line: 2,
        observedAt: "2015-02-28T16:00:00Z",
        locationId: "beijing-aotizhongxin",
        values: { temperature_c: -1.8, pressure_hpa: 1021, dew_point_c: -4.6, precipitation_mm: 0, wind_dir_deg: 135, wind_speed_ms: 0.4 },
      },
      {
        line: 3,
        observedAt: "2015-02-28T17:00:00Z",
        locationId: "beijing-aotizhongxin",
        values: { temperature_c: null, pressure_hpa: 1020.8, dew_point_c: -5.9, precipitation_mm: 0, wind_dir_deg: 112.5, wind_speed_ms: 0.5 },
      },
    ]);
    // --timezone overrides the mapping's: the same wall clock read as UTC.
    expect(parse([HEADER, ROWS[0]].join("\n"), BEIJING_MAPPING, "UTC").rows[0]!.observedAt).toBe("2015-03-01T00:00:00Z");
  });

  it("reports bad cells by line and column: compass, number, date, hour", () => {
    const rows = [
      ROWS[0]!.replace(",SE,", ",SEE,"),
      ROWS[1]!.replace(",-2.6,", ",-2,6,").replace(",1020.8,", ","), // TEMP '-2' and PRES '6' shift: edited to keep the field count
      "3,2015,2,30,0,1,1,1,1,1,1,1.0,1021,-4.6,0,N,0.4,Aotizhongxin",
      "4,2015,3,1,24,1,1,1,1,1,1,1.0,1021,-4.6,0,N,0.4,Aotizhongxin",
      "5,2015,3,1,5,1,1,1,1,1,1,abc,1021,-4.6,0,N,0.4,Aotizhongxin",
      "6,2015,3,1,6,1,1,1,1,1,1,75,1021,-4.6,0,N,0.4,Aotizhongxin",
    ];
    const p = parse([HEADER, ...rows].join("\n"), BEIJING_MAPPING);
    expect(p.problems).toEqual([
      { line: 2, column: "wd (column 16)", message: '"SEE" is not a 16-point compass direction (N, NNE, ..., NNW) or calm (C)' },
      { line: 3, column: "PRES (column 13)", message: "6: pressure_hpa 6 is outside 500..1100" },
      { line: 4, column: "year (column 2)", message: "2015-2-30 0h is not a real date and hour" },
      { line: 5, column: "hour (column 5)", message: "hour 24 is not 0..23" },
      { line: 6, column: "TEMP (column 12)", message: '"abc" is not a number' },
      { line: 7, column: "TEMP (column 12)", message: "75: temperature_c 75 is outside -80..60" },
    ]);
    expect(p.rows).toEqual([]);
  });

  it("reads one date-time column with a format, scale and offset (°F -> °C)", () => {
    const mapping = {
      timezone: "-05:00",
      time: { column: "when", format: "M/D/YYYY H:mm" },
      fields: { temperature_c: { column: "tempF", scale: 5 / 9, offset: -160 / 9 }, visibility_m: { column: "vis", scale: 10 } },
    };
    const p = parse(["when,tempF,vis", "1/2/2020 7:00,32,100", "1/2/2020 8:30,50,100", "13/2/2020 9:00,50,100"].join("\n"), mapping);
    expect(p.rows).toEqual([{ line: 2, observedAt: "2020-01-02T12:00:00Z", values: { temperature_c: 0, visibility_m: 1000 } }]);
    expect(p.problems.map((x) => x.message)).toEqual(['"1/2/2020 8:30" is not on the hour', '"13/2/2020 9:00" is not a real date and hour']);
  });

  it("sends rows to locations by the station column: explicit map first, then the prefix; unmapped stations are counted", () => {
    const two = [
      HEADER,
      ROWS[0],
      ROWS[0]!.replace("Aotizhongxin", "Dongsi"),
      ROWS[1]!.replace("Aotizhongxin", "Tiantan"),
      ROWS[1]!.replace("Aotizhongxin", "Tiantan").replace(/^2,2015,3,1,1,/, "3,2015,3,1,2,"),
    ].join("\n");
    const byMap = parse(two, { ...(BEIJING_MAPPING as object), station: { column: "station", locations: { Aotizhongxin: "olympic-centre" } } });
    expect(byMap.rows.map((r) => [r.line, r.locationId])).toEqual([[2, "olympic-centre"]]);
    expect([...byMap.unmappedStations]).toEqual([
      ["Dongsi", 1],
      ["Tiantan", 2],
    ]);
    const both = parse(two, { ...(BEIJING_MAPPING as object), station: { column: "station", locations: { Aotizhongxin: "olympic-centre" }, prefix: "bj-" } });
    expect(both.rows.map((r) => [r.line, r.locationId])).toEqual([
      [2, "olympic-centre"],
      [3, "bj-dongsi"],
      [4, "bj-tiantan"],
      [5, "bj-tiantan"],
    ]);
    // The same hour at two stations is no duplicate; twice at one station is.
    const dup = parse([HEADER, ROWS[0], ROWS[0]!.replace("Aotizhongxin", "Dongsi"), ROWS[0]].join("\n"), BEIJING_MAPPING);
    expect(dup.rows).toHaveLength(2);
    expect(dup.problems).toEqual([{ line: 4, column: "year (column 2)", message: "the hour 2015-02-28T16:00:00Z (UTC) already appeared on line 2" }]);
  });
});
