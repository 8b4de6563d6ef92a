import { describe, expect, it } from "vitest";
import asosFixture from "../../test/fixtures/kma/getWthrDataList_ASOS_108_20250430-20250529.items.json" with { type: "json" };
import vilageFixture from "../../test/fixtures/kma/getVilageFcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import { ItemError, asosRecords, forecastRecords, nowcastRecords } from "./records.ts";

const expected = { nx: 60, ny: 127, baseDate: "20250529", baseTime: "0200" };

describe("getVilageFcst records from the real 2025-05-29 0200 Seoul payload", () => {
  const records = forecastRecords("vilageFcst", vilageFixture.item, expected);

  it("keeps every item, with UTC instants", () => {
    expect(records).toHaveLength(944);
    expect(new Set(records.map((r) => r.issuedAt))).toEqual(new Set(["2025-05-28T17:00:00.000Z"]));
    expect(records[0]).toEqual({
      product: "vilageFcst",
      nx: 60,
      ny: 127,
      issuedAt: "2025-05-28T17:00:00.000Z",
      validAt: "2025-05-28T18:00:00.000Z", // fcst 20250529 0300 KST
      category: "TMP",
      value: 16,
      flag: "exact",
      raw: "16",
    });
  });

  it("turns WAV -999 into null, never a number", () => {
    const wav = records.filter((r) => r.category === "WAV");
    expect(wav.length).toBeGreaterThan(0);
    for (const r of wav) expect(r).toMatchObject({ value: null, flag: "missing", raw: "-999" });
  });

  it("reads PCP '강수없음' / SNO '적설없음' as 0 with flags", () => {
    const pcp = records.filter((r) => r.raw === "강수없음");
    expect(pcp.length).toBeGreaterThan(0);
    for (const r of pcp) expect(r).toMatchObject({ category: "PCP", value: 0, flag: "no-precipitation" });
    const sno = records.filter((r) => r.raw === "적설없음");
    for (const r of sno) expect(r).toMatchObject({ category: "SNO", value: 0, flag: "no-snow" });
  });

  it("has one TMP per hour for 78 hours and TMN/TMX at their KST times", () => {
    const tmp = records.filter((r) => r.category === "TMP");
    expect(tmp).toHaveLength(78);
    expect(tmp.every((r) => r.value !== null && r.value > 10 && r.value < 35)).toBe(true);
    const tmn = records.filter((r) => r.category === "TMN");
    expect(tmn.map((r) => r.validAt)).toContain("2025-05-28T21:00:00.000Z"); // 0600 KST
    const tmx = records.filter((r) => r.category === "TMX");
    expect(tmx.map((r) => r.validAt)).toContain("2025-05-29T06:00:00.000Z"); // 1500 KST
  });

  it("rejects items for another grid point or base time", () => {
    expect(() => forecastRecords("vilageFcst", vilageFixture.item, { ...expected, nx: 61 })).toThrow(ItemError);
    expect(() => forecastRecords("vilageFcst", vilageFixture.item, { ...expected, baseTime: "0500" })).toThrow(
      "item 0 has base 20250529 0200 but 20250529 0500 was requested",
    );
  });

  it("names the malformed item", () => {
    const items = [vilageFixture.item[0], { ...vilageFixture.item[1], fcstDate: "2025-05-29" }];
    expect(() => forecastRecords("vilageFcst", items, expected)).toThrow("vilageFcst item 1 is malformed: fcstDate: want YYYYMMDD");
  });
});

describe("getUltraSrtNcst records", () => {
  it("uses the base time as the observation time and parses obsrValue", () => {
    // Hand-written items in the guide's getUltraSrtNcst item shape (no real payload available).
    const items = [
      { baseDate: "20250101", baseTime: "0000", category: "T1H", nx: 60, ny: 127, obsrValue: "-3.4" },
      { baseDate: "20250101", baseTime: "0000", category: "RN1", nx: 60, ny: 127, obsrValue: "0" },
      { baseDate: "20250101", baseTime: "0000", category: "REH", nx: 60, ny: 127, obsrValue: "-998.9" },
    ];
    const r = nowcastRecords(items, { nx: 60, ny: 127, baseDate: "20250101", baseTime: "0000" });
    expect(r.map((x) => [x.validAt, x.issuedAt, x.category, x.value, x.flag])).toEqual([
      ["2024-12-31T15:00:00.000Z", "2024-12-31T15:00:00.000Z", "T1H", -3.4, "exact"],
      ["2024-12-31T15:00:00.000Z", "2024-12-31T15:00:00.000Z", "RN1", 0, "exact"],
      ["2024-12-31T15:00:00.000Z", "2024-12-31T15:00:00.000Z", "REH", null, "missing"],
    ]);
  });
});

describe("ASOS hourly records from the real station 108 payload", () => {
  const obs = asosRecords(asosFixture.item, 108);

  it("converts all 720 hours from KST to UTC", () => {
    expect(obs).toHaveLength(720);
    expect(obs[0]!.observedAt).toBe("2025-04-29T15:00:00.000Z"); // 2025-04-30 00:00 KST
    expect(obs[719]!.observedAt).toBe("2025-05-29T14:00:00.000Z"); // 2025-05-29 23:00 KST
    expect(obs[0]).toMatchObject({ stationId: 108, stationName: "서울", ta: 12.7, ws: 0.8, wd: 200, hm: 38, td: -1.2, pa: 1003.3, ps: 1013.5, vs: 2113 });
  });

  it("keeps an empty rn as null (not 0) and reads reported amounts", () => {
    const empty = asosFixture.item.filter((i) => i.rn === "").length;
    expect(empty).toBe(587);
    expect(obs.filter((o) => o.rn === null)).toHaveLength(587);
    expect(obs.filter((o) => o.rn === 0)).toHaveLength(asosFixture.item.filter((i) => i.rn === "0.0").length);
    expect(obs.some((o) => o.rn === 13)).toBe(true);
  });

  it("never turns '' into 0 in any field", () => {
    for (let k = 0; k < obs.length; k++) {
      const item = asosFixture.item[k] as Record<string, string>;
      const o = obs[k] as unknown as Record<string, unknown>;
      for (const f of ["ta", "rn", "ws", "wd", "hm", "td", "pa", "ps", "ss", "icsr", "dsnw", "vs", "ts"]) {
        if (item[f] === "") expect(o[f]).toBeNull();
        else expect(o[f]).toBe(Number(item[f]));
      }
    }
  });

  it("collects non-empty QC flags", () => {
    expect(obs[0]!.qc).toEqual({ ss: "9" });
  });

  it("rejects another station and bad numbers, naming the item and field", () => {
    expect(() => asosRecords(asosFixture.item, 112)).toThrow("ASOS item 0 (2025-04-30 00:00) is for station 108 but 112 was requested");
    const bad = [{ ...asosFixture.item[0], ta: "12.7C" }];
    expect(() => asosRecords(bad, 108)).toThrow('ASOS item 0 (2025-04-30 00:00) field ta: not a number: "12.7C"');
    expect(() => asosRecords([{ ...asosFixture.item[0], tm: "2025-02-30 00:00" }], 108)).toThrow("not a real KST date-time");
  });
});
