// KMA mock datasets the job tests add to the mock's defaults (test/kma-mock/server.ts): the nowcast
// for base 2025-05-29 02:00 KST at Seoul's grid point (items constructed in the guide's shape from the
// real ASOS values of that hour; test/fixtures/jobs/PROVENANCE.md).
import nowcast from "../fixtures/jobs/getUltraSrtNcst_20250529_0200_nx60_ny127.items.json" with { type: "json" };
import type { MockDataset } from "../kma-mock/server.ts";

export function jobMockDatasets(): MockDataset[] {
  return [{ operation: "getUltraSrtNcst", match: { base_date: "20250529", base_time: "0200", nx: "60", ny: "127" }, items: nowcast.item }];
}

/** 02:15 KST on 2025-05-29: the newest nowcast and short-term forecast are both the 02:00 issue the mock has. */
export const MOCK_INGEST_AT = "2025-05-29T02:15+09:00";
