// KMA mock datasets the job tests add to the mock's defaults (test/kma-mock/server.ts): the nowcast
// for base 2025-05-29 02:00 KST at Seoul's grid point (items constructed in the guide's shape from the
// real ASOS values of that hour; test/fixtures/jobs/PROVENANCE.md).
import nowcast from "../fixtures/jobs/getUltraSrtNcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import { defaultDatasets } from "../kma-mock/server.ts";
import type { MockDataset } from "../kma-mock/server.ts";

export function jobMockDatasets(): MockDataset[] {
  return [{ operation: "getUltraSrtNcst", match: { base_date: "20250529", base_time: "0200", nx: "60", ny: "127" }, items: nowcast.item }];
}

/** 02:15 KST on 2025-05-29: the newest nowcast and short-term forecast are both the 02:00 issue the mock has. */
export const MOCK_INGEST_AT = "2025-05-29T02:15+09:00";

/**
 * For the scaling test (src/adapters/workers/ingest-queue.workerd.test.ts): the same 02:00 KST nowcast
 * and short-term forecast at each of these grid points (the Seoul items with nx/ny set to the point:
 * made-up data in the real shape, only to measure the ingest's calls and rows).
 */
export function gridMockDatasets(points: readonly { nx: number; ny: number }[]): MockDataset[] {
  const fcst = defaultDatasets().find((d) => d.operation === "getVilageFcst")!.items as Record<string, unknown>[];
  const seen = new Set<string>();
  return points.flatMap(({ nx, ny }) => {
    const key = `${nx},${ny}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const match = { base_date: "20250529", base_time: "0200", nx: String(nx), ny: String(ny) };
    return [
      { operation: "getUltraSrtNcst", match, items: nowcast.item.map((i) => ({ ...i, nx, ny })) },
      { operation: "getVilageFcst", match, items: fcst.map((i) => ({ ...i, nx, ny })) },
    ] satisfies MockDataset[];
  });
}
