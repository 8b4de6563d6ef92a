// Proves in the running Worker that LightGBM (WebAssembly) loads and trains: trains the bundled
// Seoul fixture and compares the model text with native LightGBM's, byte for byte. The fixture
// (~450 KB of CSV and model text) is imported only when the route runs, not with the app.
import { parseCsvMatrix } from "../model/lightgbm-wasm/csv-matrix.ts";
import type { LightGBM } from "../model/lightgbm-wasm/lightgbm.ts";
import { parseParams } from "../model/lightgbm-wasm/params.ts";

export interface SelftestResult {
  rows: number;
  features: number;
  iterations: number;
  identical_to_native: boolean;
  load_ms: number;
  train_ms: number;
}

export async function lightgbmSelftest(load: () => Promise<LightGBM>): Promise<SelftestResult> {
  const t0 = performance.now();
  const lgb = await load();
  const t1 = performance.now();
  const fixture = await import("../model/lightgbm-wasm/fixtures/seoul-bike.fixture.ts");
  const m = parseCsvMatrix(fixture.csv, { label: fixture.label });
  const params = parseParams(fixture.params);
  const ds = lgb.createDataset({ data: m.data, numRows: m.numRows, numCols: m.numCols, label: m.label!, featureNames: m.featureNames, params });
  try {
    const { booster, iterations } = lgb.train({ params, train: ds });
    const text = booster.saveModel();
    booster.free();
    return {
      rows: m.numRows,
      features: m.numCols,
      iterations,
      identical_to_native: text === fixture.nativeModel,
      load_ms: Math.round(t1 - t0),
      train_ms: Math.round(performance.now() - t1),
    };
  } finally {
    ds.free();
  }
}
