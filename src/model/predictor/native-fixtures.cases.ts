// Shared by the Node/Deno and workerd test files. Model text written by native LightGBM (x86-64,
// same source; fixtures made for lightgbm-wasm by scripts/lightgbm-native/make-fixtures.ts) and
// native LightGBM's own predictions on the training rows: the predictor reads the native text,
// after checking its sha256 with WebCrypto, and must reproduce every prediction bit for bit.
import { describe, expect, it } from "vitest";
import { parseCsvMatrix } from "../lightgbm-wasm/csv-matrix.ts";
import * as seoulBike from "../lightgbm-wasm/fixtures/seoul-bike.fixture.ts";
import * as syntheticMissing from "../lightgbm-wasm/fixtures/synthetic-missing.fixture.ts";
import { sha256Hex } from "./sha256.ts";
import { bitwiseDifferences } from "./testing/compare.ts";
import { parseVerifiedModel } from "./verified-model.ts";

export function defineNativeFixtureTests(runtime: string): void {
  describe(`native LightGBM's model text and predictions, in ${runtime}`, () => {
    for (const fx of [seoulBike, syntheticMissing]) {
      it(`${fx.name}: ${fx.numIterations} trees, every native prediction reproduced`, async () => {
        const m = parseCsvMatrix(fx.csv, { label: fx.label, source: `${fx.name}.csv` });
        const model = await parseVerifiedModel(fx.nativeModel, await sha256Hex(fx.nativeModel));
        expect(model.info.numTrees).toBe(fx.numIterations);
        expect(model.featureNames).toEqual(m.featureNames);
        const native = fx.nativePredictions.trim().split("\n").map(Number);
        expect(native.length).toBe(m.numRows);
        expect(bitwiseDifferences(native, model.predictBatch(m.data, m.numRows))).toEqual([]);
        const single = native.map((_, r) => model.predict(m.data.subarray(r * m.numCols, (r + 1) * m.numCols)));
        expect(bitwiseDifferences(native, single)).toEqual([]);
      });
    }
  });
}
