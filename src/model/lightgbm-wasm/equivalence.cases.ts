// The equivalence suite, shared by the Node, Deno and workerd test files: the wasm build must write
// the same model text, byte for byte, as native LightGBM built from the same source (fixtures made by
// scripts/lightgbm-native/make-fixtures.ts), and predict the same doubles, bit for bit.
import { describe, expect, it } from "vitest";
import { parseCsvMatrix } from "./csv-matrix.ts";
import * as seoulBike from "./fixtures/seoul-bike.fixture.ts";
import * as syntheticMissing from "./fixtures/synthetic-missing.fixture.ts";
import type { LightGBM } from "./lightgbm.ts";
import { parseParams } from "./params.ts";

export const fixtures = [seoulBike, syntheticMissing];

function trees(modelText: string): string[] {
  return modelText
    .split(/\n(?=Tree=)/)
    .slice(1)
    .map((t) => t.split("\nend of trees")[0] ?? t);
}

export function defineEquivalenceTests(runtime: string, load: () => Promise<LightGBM>): void {
  for (const fx of fixtures) {
    describe(`lightgbm-wasm equals native LightGBM in ${runtime}: ${fx.name}`, () => {
      const m = parseCsvMatrix(fx.csv, { label: fx.label, source: `${fx.name}.csv` });
      const params = parseParams(fx.params);

      it("trains the same trees, byte for byte, and predicts the same doubles", async () => {
        const lgb = await load();
        const ds = lgb.createDataset({ data: m.data, numRows: m.numRows, numCols: m.numCols, label: m.label!, featureNames: m.featureNames, params });
        const { booster, iterations } = lgb.train({ params, train: ds });
        try {
          expect(iterations).toBe(fx.numIterations);
          const ours = booster.saveModel();
          const nativeTrees = trees(fx.nativeModel);
          const ourTrees = trees(ours);
          expect(ourTrees.length).toBe(nativeTrees.length);
          ourTrees.forEach((t, i) => expect(t).toBe(nativeTrees[i]));
          expect(ours).toBe(fx.nativeModel);

          const native = fx.nativePredictions.trim().split("\n").map(Number);
          const pred = booster.predict(m.data, m.numRows, m.numCols);
          expect(pred.length).toBe(native.length);
          let mismatches = 0;
          pred.forEach((v, i) => {
            if (!Object.is(v, native[i])) mismatches++;
          });
          expect(mismatches).toBe(0);
        } finally {
          booster.free();
          ds.free();
        }
      });

      it("loads native LightGBM's model text and predicts the same doubles", async () => {
        const lgb = await load();
        const booster = lgb.loadModel(fx.nativeModel);
        try {
          expect(booster.saveModel()).toBe(fx.nativeModel);
          const native = fx.nativePredictions.trim().split("\n").map(Number);
          const pred = booster.predict(m.data, m.numRows, m.numCols);
          expect(Array.from(pred).every((v, i) => Object.is(v, native[i]))).toBe(true);
        } finally {
          booster.free();
        }
      });
    });
  }
}
