// The bundled files themselves (Node only: reads data/seoul).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSeoulBikeCsv } from "./seoul-bike.ts";
import { HOUR_MS } from "./series.ts";
import { parseAsosCsv } from "./series-asos.ts";

const read = (name: string) => readFileSync(new URL(`../../data/seoul/${name}`, import.meta.url));

describe("data/seoul/SeoulBikeData.csv", () => {
  const bytes = read("SeoulBikeData.csv");
  it("is the UCI file named in PROVENANCE.md", () => {
    expect(createHash("sha256").update(bytes).digest("hex")).toBe("3651812963ded2c6a5410f526512662f3875d29ac84749b03597e1683bdd73b1");
  });
  it("loads as 8,760 consecutive UTC hours from 2017-11-30T15Z (2017-12-01 00h KST)", () => {
    const s = parseSeoulBikeCsv(bytes.toString("utf8"));
    expect(s.observations).toHaveLength(8760);
    expect(new Date(s.observations[0]!.time).toISOString()).toBe("2017-11-30T15:00:00.000Z");
    expect(new Date(s.observations.at(-1)!.time).toISOString()).toBe("2018-11-30T14:00:00.000Z");
    s.observations.forEach((o, i) => expect(o.time - s.observations[0]!.time).toBe(i * HOUR_MS));
    expect(s.observations.every((o) => typeof o.temperature === "number")).toBe(true);
    expect(s.observations[0]).toMatchObject({ temperature: -5.2, humidity: 37, windSpeed: 2.2, dewPoint: -17.6 });
  });
});

describe("data/seoul/asos108_hourly_20250430_20250529.csv", () => {
  const bytes = read("asos108_hourly_20250430_20250529.csv");
  it("is the file named in PROVENANCE.md", () => {
    expect(createHash("sha256").update(bytes).digest("hex")).toBe("5489e7cc8034bdea61ff35d5db145174ca777ec94aa428a308117b5050a63628");
  });
  it("loads as 720 hours from 2025-04-29T15Z (2025-04-30 00h KST) with rn blanks as null", () => {
    const s = parseAsosCsv(bytes.toString("utf8"), "seoul");
    expect(s.observations).toHaveLength(720);
    expect(new Date(s.observations[0]!.time).toISOString()).toBe("2025-04-29T15:00:00.000Z");
    expect(s.observations[0]).toMatchObject({
      temperature: 12.7,
      windSpeed: 0.8,
      windDirection: 200,
      humidity: 38,
      dewPoint: -1.2,
      pressure: 1003.3,
      seaLevelPressure: 1013.5,
      precipitation: null,
      cloudCover: 0,
      visibility: 2113,
    });
    expect(s.observations.filter((o) => o.precipitation === null)).toHaveLength(587);
  });
});
