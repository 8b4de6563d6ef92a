// The ported musl exp/log1p against the ones inside LightGBM-wasm: chosen doubles are put in the
// leaves of a model whose objective transforms them (poisson: exp; binary: 1/(1+exp(-x));
// cross_entropy_lambda: log1p(exp(x))), LightGBM-wasm predicts, and every result must be bitwise
// equal to the port's. Covers the ordinary range, the special-case paths (|x| >= 512, overflow,
// subnormal results, tiny x), and the non-finite inputs.
import { beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../lightgbm-wasm/node.ts";
import { muslExp, muslLog1p } from "./musl-exp.ts";
import { parseModel } from "./parse-model.ts";
import { bitwiseDifferences } from "./testing/compare.ts";
import { buildModelText, chainTree } from "./testing/model-text-builder.ts";
import { rng } from "./testing/synthetic.ts";

function probeValues(): number[] {
  const r = rng(7);
  const values: number[] = [0, -0, NaN, Infinity, -Infinity, 1, -1, 2 ** -54, -(2 ** -54), 2 ** -55, 1e-17, -1e-17, 5e-324, -5e-324];
  for (const x of [512, 709.78, 709.782712893384, 709.7827128933841, 709.79, 710, 1023.9, 1024, 1e6]) values.push(x, -x, x - 1e-9);
  for (const x of [708.39, 708.4, 744.44, 745.1332191019411, 745.1332191019412, 745.14, 745.2, 746]) values.push(-x);
  for (let i = 0; i < 3000; i++) values.push(r() * 40 - 20);
  for (let i = 0; i < 1500; i++) values.push(r() * 1460 - 750);
  for (let i = 0; i < 500; i++) values.push((r() - 0.5) * 2 ** -(r() * 60));
  // Doubles from random bits, any exponent.
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  for (let i = 0; i < 1000; i++) {
    u32[0] = Math.floor(r() * 2 ** 32);
    u32[1] = Math.floor(r() * 2 ** 32);
    values.push(f64[0]!);
  }
  return values;
}

describe("musl exp / log1p port equals LightGBM-wasm's libm", () => {
  let lgb: LightGBM;
  const values = probeValues();
  const rows = Float64Array.from(values, (_, i) => i);
  beforeAll(async () => {
    lgb = await loadLightGBM();
  });

  for (const [objective, reference] of [
    ["poisson", (x: number) => muslExp(x)],
    ["binary sigmoid:1", (x: number) => 1.0 / (1.0 + muslExp(-x))],
    ["binary sigmoid:0.7", (x: number) => 1.0 / (1.0 + muslExp(-0.7 * x))],
    ["cross_entropy_lambda", (x: number) => muslLog1p(muslExp(x))],
  ] as const) {
    it(`${objective}: ${values.length} leaf values`, () => {
      const text = buildModelText({ numFeatures: 1, objective, trees: [chainTree(values)] });
      const booster = lgb.loadModel(text);
      try {
        const wasm = booster.predict(rows, rows.length, 1);
        const model = parseModel(text);
        expect(bitwiseDifferences(wasm, model.predictBatch(rows, rows.length))).toEqual([]);
        expect(bitwiseDifferences(wasm, values.map(reference))).toEqual([]);
      } finally {
        booster.free();
      }
    });
  }

  it("log1p on its own special inputs", () => {
    expect(muslLog1p(-1)).toBe(-Infinity);
    expect(muslLog1p(-2)).toBeNaN();
    expect(muslLog1p(NaN)).toBeNaN();
    expect(muslLog1p(Infinity)).toBe(Infinity);
    expect(Object.is(muslLog1p(-0), -0)).toBe(true);
    expect(muslLog1p(1e-20)).toBe(1e-20);
    expect(muslLog1p(Math.E - 1)).toBeCloseTo(1, 15);
  });
});
