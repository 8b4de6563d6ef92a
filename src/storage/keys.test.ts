import { describe, expect, it } from "vitest";
import {
  KeySchemeError,
  kmaBaseInstant,
  kmaBaseOf,
  modelArtifactKey,
  modelPrefix,
  modelVersionAt,
  observationCsvKey,
  observationCsvKeysBetween,
  observationCsvPrefix,
  parseModelArtifactKey,
  parseObservationCsvKey,
  parseRawKmaKey,
  rawKmaKey,
  rawKmaPrefix,
} from "./keys.ts";
import { objectKeyProblem } from "./object-key.ts";

function schemeError(fn: () => unknown): KeySchemeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KeySchemeError) return e;
    throw e;
  }
  throw new Error("expected a KeySchemeError");
}

describe("KST base date/time", () => {
  it("turns a UTC instant into KMA's base_date/base_time (KST = UTC+9)", () => {
    expect(kmaBaseOf(new Date("2025-05-28T17:00:00Z"))).toEqual({ baseDate: "20250529", baseTime: "0200" });
    expect(kmaBaseOf(new Date("2025-05-29T14:59:59Z"))).toEqual({ baseDate: "20250529", baseTime: "2359" });
    expect(kmaBaseOf(new Date("2025-05-29T15:00:00Z"))).toEqual({ baseDate: "20250530", baseTime: "0000" });
    expect(kmaBaseOf(new Date("2024-12-31T15:30:00Z"))).toEqual({ baseDate: "20250101", baseTime: "0030" });
  });

  it("turns a KST base_date/base_time into the UTC instant", () => {
    expect(kmaBaseInstant({ baseDate: "20250529", baseTime: "0200" }).toISOString()).toBe("2025-05-28T17:00:00.000Z");
    expect(kmaBaseInstant({ baseDate: "20250101", baseTime: "0000" }).toISOString()).toBe("2024-12-31T15:00:00.000Z");
    expect(kmaBaseInstant({ baseDate: "20240229", baseTime: "2330" }).toISOString()).toBe("2024-02-29T14:30:00.000Z");
  });

  it("round-trips every half hour of a year both ways", () => {
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 30 * 60_000) {
      const base = kmaBaseOf(new Date(t));
      expect(kmaBaseInstant(base).getTime()).toBe(t);
    }
  });

  it("rejects bad base dates and times", () => {
    expect(schemeError(() => kmaBaseInstant({ baseDate: "2025-05-29", baseTime: "0200" })).message).toContain("YYYYMMDD");
    expect(schemeError(() => kmaBaseInstant({ baseDate: "20250230", baseTime: "0200" })).message).toContain("not a calendar date");
    expect(schemeError(() => kmaBaseInstant({ baseDate: "20250529", baseTime: "2400" })).message).toContain("HHmm");
    expect(schemeError(() => kmaBaseInstant({ baseDate: "20250529", baseTime: "0260" })).message).toContain("0260");
    expect(schemeError(() => kmaBaseInstant({ baseDate: "20250529", baseTime: "200" })).message).toContain("base_time");
    expect(() => kmaBaseOf(new Date("nope"))).toThrow(KeySchemeError);
  });
});

describe("raw KMA keys", () => {
  it("keys a payload by api, location and the request's KST base date and time", () => {
    expect(rawKmaKey({ api: "getVilageFcst", location: "seoul", baseDate: "20250529", baseTime: "0200" })).toBe(
      "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json",
    );
    expect(rawKmaKey({ api: "getUltraSrtNcst", location: "busan-haeundae", ...kmaBaseOf(new Date("2025-05-29T15:00:00Z")) })).toBe(
      "raw/kma/getUltraSrtNcst/busan-haeundae/2025-05-30/0000.json",
    );
  });

  it("makes keys the object stores accept", () => {
    expect(objectKeyProblem(rawKmaKey({ api: "getWthrDataList", location: "seoul", baseDate: "20250430", baseTime: "0000" }))).toBeUndefined();
  });

  it("parses its keys back, with the base time as a UTC instant", () => {
    expect(parseRawKmaKey("raw/kma/getVilageFcst/seoul/2025-05-29/0200.json")).toEqual({
      api: "getVilageFcst",
      location: "seoul",
      baseDate: "20250529",
      baseTime: "0200",
      baseInstant: new Date("2025-05-28T17:00:00Z"),
    });
    for (const other of [
      "raw/kma/getVilageFcst/Seoul/2025-05-29/0200.json",
      "raw/kma/getVilageFcst/seoul/2025-02-30/0200.json",
      "raw/kma/x/seoul/2025-05-29/2400.json",
      "csv/observations/seoul/2025/2025-05-29.csv",
    ]) {
      expect(parseRawKmaKey(other)).toBeUndefined();
    }
  });

  it("builds prefixes from general to narrow", () => {
    expect(rawKmaPrefix()).toBe("raw/kma/");
    expect(rawKmaPrefix({ api: "getVilageFcst" })).toBe("raw/kma/getVilageFcst/");
    expect(rawKmaPrefix({ api: "getVilageFcst", location: "seoul" })).toBe("raw/kma/getVilageFcst/seoul/");
    expect(rawKmaPrefix({ api: "getVilageFcst", location: "seoul", baseDate: "20250529" })).toBe("raw/kma/getVilageFcst/seoul/2025-05-29/");
    expect(() => rawKmaPrefix({ location: "seoul" })).toThrow(KeySchemeError);
    expect(() => rawKmaPrefix({ api: "getVilageFcst", baseDate: "20250529" })).toThrow(KeySchemeError);
  });

  it("rejects bad api names", () => {
    for (const api of ["", "get/VilageFcst", "../x", "get VilageFcst", "1get"]) {
      const e = schemeError(() => rawKmaKey({ api, location: "seoul", baseDate: "20250529", baseTime: "0200" }));
      expect(e.message).toContain(`invalid KMA api ${JSON.stringify(api)}`);
    }
  });
});

describe("location ids", () => {
  const bad = [
    "",
    "Seoul",
    "seoul/..",
    "..",
    "seoul/gangnam",
    "seoul gangnam",
    "서울",
    "-seoul",
    "seoul-",
    "seoul--x",
    "1seoul",
    "seoul.x",
    "a".repeat(65),
    "seoul\u0000",
  ];

  it.each(bad.map((id) => ({ id })))("rejects $id in every key kind, naming it", ({ id }) => {
    const calls = [
      () => rawKmaKey({ api: "getVilageFcst", location: id, baseDate: "20250529", baseTime: "0200" }),
      () => rawKmaPrefix({ api: "getVilageFcst", location: id }),
      () => observationCsvKey(id, "2025-05-29"),
      () => observationCsvPrefix(id),
      () => observationCsvKeysBetween(id, new Date("2025-05-29T00:00Z"), new Date("2025-05-30T00:00Z")),
      () => modelArtifactKey(id, "v1"),
      () => modelPrefix(id),
    ];
    for (const call of calls) expect(schemeError(call).message).toContain(`invalid location id ${JSON.stringify(id)}`);
  });

  it("accepts slugs", () => {
    for (const id of ["seoul", "busan-haeundae", "jeju2", "a"]) expect(observationCsvKey(id, "2025-05-29")).toBe(`csv/observations/${id}/2025/2025-05-29.csv`);
  });
});

describe("observation CSV partitions (UTC days)", () => {
  it("keys a day by its UTC date, given as text or as an instant", () => {
    expect(observationCsvKey("seoul", "2025-05-29")).toBe("csv/observations/seoul/2025/2025-05-29.csv");
    // 2025-05-29T23:30Z is already 08:30 on the 30th in KST, but belongs to the UTC day of the 29th.
    expect(observationCsvKey("seoul", new Date("2025-05-29T23:30:00Z"))).toBe("csv/observations/seoul/2025/2025-05-29.csv");
    // 2025-01-01 05:00 KST is still 2024-12-31 in UTC: last year's folder.
    expect(observationCsvKey("seoul", new Date("2025-01-01T05:00:00+09:00"))).toBe("csv/observations/seoul/2024/2024-12-31.csv");
  });

  it("lists the partitions that hold the hours of a UTC range", () => {
    expect(observationCsvKeysBetween("seoul", new Date("2024-12-30T12:00Z"), new Date("2025-01-02T00:00Z"))).toEqual([
      "csv/observations/seoul/2024/2024-12-30.csv",
      "csv/observations/seoul/2024/2024-12-31.csv",
      "csv/observations/seoul/2025/2025-01-01.csv",
    ]);
    expect(observationCsvKeysBetween("seoul", new Date("2025-05-29T00:00Z"), new Date("2025-05-29T00:00Z"))).toEqual([]);
    expect(observationCsvKeysBetween("seoul", new Date("2025-05-29T23:00Z"), new Date("2025-05-29T23:00:01Z"))).toEqual([
      "csv/observations/seoul/2025/2025-05-29.csv",
    ]);
    expect(() => observationCsvKeysBetween("seoul", new Date("2025-05-30T00:00Z"), new Date("2025-05-29T00:00Z"))).toThrow(KeySchemeError);
  });

  it("parses its keys back and builds prefixes", () => {
    expect(parseObservationCsvKey("csv/observations/seoul/2025/2025-05-29.csv")).toEqual({ location: "seoul", day: "2025-05-29" });
    expect(parseObservationCsvKey("csv/observations/seoul/2024/2025-05-29.csv")).toBeUndefined();
    expect(parseObservationCsvKey("csv/observations/seoul/2025/2025-13-01.csv")).toBeUndefined();
    expect(observationCsvPrefix("seoul")).toBe("csv/observations/seoul/");
    expect(observationCsvPrefix("seoul", 2025)).toBe("csv/observations/seoul/2025/");
    expect(() => observationCsvPrefix("seoul", 25.5)).toThrow(KeySchemeError);
  });

  it("rejects days that are not UTC calendar dates", () => {
    for (const day of ["2025-5-29", "20250529", "2025-02-29", "2025-05-29T00:00Z", ""]) {
      expect(schemeError(() => observationCsvKey("seoul", day)).message).toContain("invalid day");
    }
    expect(() => observationCsvKey("seoul", new Date(Number.NaN))).toThrow(KeySchemeError);
  });
});

describe("model artifacts", () => {
  it("keys artifacts by location and version, model.txt by default", () => {
    expect(modelArtifactKey("seoul", "20250529T183000Z")).toBe("models/seoul/20250529T183000Z/model.txt");
    expect(modelArtifactKey("seoul", "20250529T183000Z", "metrics.json")).toBe("models/seoul/20250529T183000Z/metrics.json");
    expect(modelPrefix("seoul")).toBe("models/seoul/");
    expect(modelPrefix("seoul", "v1")).toBe("models/seoul/v1/");
  });

  it("makes versions from UTC training times that sort in time order", () => {
    const a = modelVersionAt(new Date("2025-05-29T18:30:00Z"));
    const b = modelVersionAt(new Date("2025-05-30T03:30:00+09:00"));
    const c = modelVersionAt(new Date("2025-12-01T00:00:00Z"));
    expect(a).toBe("20250529T183000Z");
    expect(b).toBe("20250529T183000Z");
    expect([c, a].sort()).toEqual([a, c]);
    expect(modelArtifactKey("seoul", a)).toBe("models/seoul/20250529T183000Z/model.txt");
  });

  it("parses its keys back", () => {
    expect(parseModelArtifactKey("models/seoul/20250529T183000Z/model.txt")).toEqual({ location: "seoul", version: "20250529T183000Z", file: "model.txt" });
    expect(parseModelArtifactKey("models/seoul/v1/sub/model.txt")).toBeUndefined();
    expect(parseModelArtifactKey("models/Seoul/v1/model.txt")).toBeUndefined();
  });

  it("rejects bad versions and file names", () => {
    for (const version of ["", "..", ".hidden", "v 1", "v/1", "x".repeat(65)])
      expect(schemeError(() => modelArtifactKey("seoul", version)).message).toContain("invalid model version");
    for (const file of ["", "..", "a/b", ".x", "model.txt\n"])
      expect(schemeError(() => modelArtifactKey("seoul", "v1", file)).message).toContain("invalid model file name");
  });
});
