// data/kma/asos-stations.csv is the source of truth; src/locations/asos-catalog.generated.ts must be
// its exact rendering, and the id rule must hold.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { catalogRows, renderFromDisk, stationId } from "../../scripts/gen-asos-catalog.ts";

describe("src/locations/asos-catalog.generated.ts", () => {
  it("is up to date with data/kma/asos-stations.csv (run `node scripts/gen-asos-catalog.ts` after editing it)", async () => {
    const committed = await readFile(new URL("./asos-catalog.generated.ts", import.meta.url), "utf8");
    expect(committed === (await renderFromDisk()), "src/locations/asos-catalog.generated.ts is stale: run node scripts/gen-asos-catalog.ts").toBe(true);
  });

  it("romanizes by the Revised Romanization with sound changes, drops 군/시, and prefers official spellings", () => {
    expect(["서울", "대관령", "백령도", "울릉도", "속초", "정선군", "김해시", "통영", "밀양", "함양군", "고산", "의성"].map(stationId)).toEqual([
      "seoul",
      "daegwallyeong",
      "baengnyeongdo",
      "ulleungdo",
      "sokcho",
      "jeongseon",
      "gimhae",
      "tongyeong",
      "miryang",
      "hamyang",
      "jeju-gosan",
      "uiseong",
    ]);
  });

  it("refuses a catalog whose ids collide", () => {
    const csv = "stnId,name,latitude,longitude,altitude\n159,부산,35.1,129.0,69\n999,부산시,35.2,129.1,10\n";
    expect(() => catalogRows(csv)).toThrow('duplicate station id "busan" (stations 159 and 999)');
  });
});
