// The Seoul bike CSV loader on a few real rows (the first two and the last of the UCI file, plus the
// 23:00 -> 00:00 day change): Date/Hour are KST and become UTC; bike columns are ignored.
import { describe, expect, it } from "vitest";
import { parseSeoulBikeCsv } from "./seoul-bike.ts";
import { SeriesError } from "./series.ts";

const HEADER =
  "Date,RentedBikeCount,Hour,Temperature,Humidity(%),Wind speed (m/s),Visibility (10m),DewPointTemperature,Solar Radiation (MJ/m2),Rainfall(mm),Snowfall (cm),Seasons,Holiday,Functioning Day";
const CSV = `${HEADER}
01-12-2017,254,0,-5.2,37,2.2,2000,-17.6,0,0,0,Winter,No Holiday,Yes
01-12-2017,204,1,-5.5,38,0.8,2000,-17.6,0,0,0,Winter,No Holiday,Yes
01-12-2017,400,23,-1,79,1.5,1913,-3.5,0,0,0,Winter,No Holiday,Yes
02-12-2017,300,0,-1.2,80,1.3,1900,-4.1,0,0.5,0.3,Winter,No Holiday,Yes
30-11-2018,584,23,1.9,43,1.3,1909,-9.3,0,0,0,Autumn,No Holiday,Yes
`;

describe("parseSeoulBikeCsv", () => {
  const s = parseSeoulBikeCsv(CSV);
  it("converts KST Date/Hour to UTC: 01-12-2017 hour 0 KST = 2017-11-30T15:00:00Z", () => {
    expect(new Date(s.observations[0]!.time).toISOString()).toBe("2017-11-30T15:00:00.000Z");
    expect(new Date(s.observations[1]!.time).toISOString()).toBe("2017-11-30T16:00:00.000Z");
    expect(new Date(s.observations[2]!.time).toISOString()).toBe("2017-12-01T14:00:00.000Z");
    expect(new Date(s.observations[3]!.time).toISOString()).toBe("2017-12-01T15:00:00.000Z");
    expect(new Date(s.observations[4]!.time).toISOString()).toBe("2018-11-30T14:00:00.000Z");
  });
  it("maps the weather columns to ASOS meanings and ignores the bike columns", () => {
    expect(s.locationId).toBe("seoul");
    expect(s.observations[3]).toEqual({
      time: Date.UTC(2017, 11, 1, 15),
      temperature: -1.2,
      humidity: 80,
      windSpeed: 1.3,
      visibility: 1900,
      dewPoint: -4.1,
      solarRadiation: 0,
      precipitation: 0.5,
      snowDepth: 0.3,
    });
  });
  it("accepts the original UCI header spelling with units", () => {
    const uci = CSV.replace("Temperature,", "Temperature(\u00b0C),").replace("DewPointTemperature,", "Dew point temperature(\u00b0C),");
    expect(parseSeoulBikeCsv(uci).observations[0]!.temperature).toBe(-5.2);
  });
  it("names what is wrong", () => {
    expect(() => parseSeoulBikeCsv(CSV.replace("01-12-2017,254,0", "2017-12-01,254,0"))).toThrow(/line 2: date "2017-12-01"/);
    expect(() => parseSeoulBikeCsv(CSV.replace(",-5.2,", ",warm,"))).toThrow(/line 2: Temperature="warm" is not a number/);
    expect(() => parseSeoulBikeCsv(CSV.replace("Humidity(%)", "Wet"))).toThrow(/no column starting with "humidity"/);
    expect(() => parseSeoulBikeCsv("")).toThrow(SeriesError);
  });
});
