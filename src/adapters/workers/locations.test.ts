import { describe, expect, it } from "vitest";
import { LocationError, SEOUL } from "../../locations/locations.ts";
import { workerLocations } from "./locations.ts";

describe("workerLocations (the LOCATIONS var)", () => {
  it("is seoul when unset, a comma list or JSON otherwise, parsed once per value", () => {
    expect(workerLocations({})).toEqual([SEOUL]);
    const list = workerLocations({ LOCATIONS: "seoul,busan,jeju-gosan" });
    expect(list.map((l) => l.id)).toEqual(["seoul", "busan", "jeju-gosan"]);
    expect(workerLocations({ LOCATIONS: "seoul,busan,jeju-gosan" })).toBe(list);
    expect(workerLocations({ LOCATIONS: '["daegu"]' }).map((l) => l.asosStationId)).toEqual([143]);
    expect(() => workerLocations({ LOCATIONS: "seoul,nowhere" })).toThrow(LocationError);
    expect(() => workerLocations({ LOCATIONS: "seoul,nowhere" })).toThrow(/^LOCATIONS: entry 2: unknown ASOS station "nowhere"/);
  });
});
