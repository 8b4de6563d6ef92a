// ASOS hourly items / CSV -> series: tm is KST, '' is null.
import { describe, expect, it } from "vitest";
import { SeriesError } from "./series.ts";
import { asosItemsToSeries, parseAsosCsv, parseAsosTm } from "./series-asos.ts";

describe("ASOS", () => {
  it("tm is KST: 2025-04-30 00:00 = 2025-04-29T15:00Z", () => {
    expect(new Date(parseAsosTm("2025-04-30 00:00")).toISOString()).toBe("2025-04-29T15:00:00.000Z");
    expect(() => parseAsosTm("2025-04-30 00:30")).toThrow(SeriesError);
  });

  it("maps fields by their ASOS names, blanks to null, and sorts by time", () => {
    const s = asosItemsToSeries(
      [
        { tm: "2025-05-01 01:00", ta: "10.5", rn: "", hm: "50", wd: "270", ws: "3.1", dc10Tca: "7", icsr: "", ps: "1012.0" },
        { tm: "2025-05-01 00:00", ta: "11.0", rn: "0.5", hm: "48" },
      ],
      "seoul",
    );
    expect(s.observations.map((o) => o.time)).toEqual([Date.UTC(2025, 3, 30, 15), Date.UTC(2025, 3, 30, 16)]);
    expect(s.observations[1]).toMatchObject({
      temperature: 10.5,
      precipitation: null,
      humidity: 50,
      windDirection: 270,
      windSpeed: 3.1,
      cloudCover: 7,
      solarRadiation: null,
      seaLevelPressure: 1012,
    });
    expect(s.observations[0]).toMatchObject({ precipitation: 0.5, windSpeed: null });
  });

  it("refuses duplicates and non-numbers, naming them", () => {
    expect(() => asosItemsToSeries([{ tm: "2025-05-01 00:00" }, { tm: "2025-05-01 00:00" }], "x")).toThrow(/not after/);
    expect(() => asosItemsToSeries([{ tm: "2025-05-01 00:00", ta: "warm" }], "x")).toThrow(/ta="warm" is not a number/);
  });

  it("reads the CSV form", () => {
    const s = parseAsosCsv("tm,stnId,ta,rn\n2025-05-01 00:00,108,11.0,\n2025-05-01 01:00,108,10.2,1.5\n", "seoul");
    expect(s.observations.map((o) => [o.temperature, o.precipitation])).toEqual([
      [11, null],
      [10.2, 1.5],
    ]);
    expect(() => parseAsosCsv("a,b\n1,2\n", "x")).toThrow(/must name at least tm and ta/);
  });
});
