// The compiled model form: models trained by LightGBM-wasm (numerical splits with NaN and zero as
// missing, categorical bitsets, linear leaves, multiclass, rf averaging) encoded and decoded give
// predictions bitwise equal to the text-parsed model on thousands of awkward rows; damaged containers
// are refused with a ModelBinaryError, never decoded into a model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightGBM } from "../lightgbm-wasm/lightgbm.ts";
import { loadLightGBM } from "../lightgbm-wasm/node.ts";
import { decodeModelBinary, encodeModelBinary, MODEL_BINARY_VERSION } from "./binary-model.ts";
import { ModelBinaryError } from "./errors.ts";
import type { Model } from "./model.ts";
import { parseModel } from "./parse-model.ts";
import { sha256Hex } from "./sha256.ts";
import { trainAndParse, type Trained } from "./testing/against-booster.ts";
import { bitwiseDifferences } from "./testing/compare.ts";
import { mixedServing, mixedTraining } from "./testing/synthetic.ts";

const train = mixedTraining(3000, 31);
const serve = mixedServing(4000, 32);
const classes = train.label.map((v) => (v < 0 ? 0 : v < 5 ? 1 : 2));

const CASES: { name: string; label: ArrayLike<number>; params: Record<string, string | number | boolean> }[] = [
  { name: "regression, NaN and zero as missing", label: train.label, params: { objective: "regression", num_iterations: 80, zero_as_missing: true } },
  { name: "regression, missing as NaN", label: train.label, params: { objective: "regression", num_iterations: 80 } },
  {
    name: "categorical bitsets",
    label: train.label,
    params: { objective: "regression", categorical_feature: "0,2", max_cat_to_onehot: 1, min_data_per_group: 5, num_iterations: 40 },
  },
  {
    name: "linear leaves, poisson",
    label: train.label.map((v) => Math.max(0, Math.round(v + 3))),
    params: { objective: "poisson", linear_tree: true, num_iterations: 30 },
  },
  { name: "multiclass (3)", label: classes, params: { objective: "multiclass", num_class: 3, num_iterations: 20 } },
  { name: "rf averaging", label: train.label, params: { boosting: "rf", bagging_fraction: 0.7, bagging_freq: 1, feature_fraction: 0.8, num_iterations: 25 } },
];

function predictions(m: Model): Float64Array {
  return m.predictBatch(serve.data, serve.rows);
}

describe("compiled model form (binary-model.ts)", () => {
  let lgb: LightGBM;
  const trained: Trained[] = [];
  beforeAll(async () => {
    lgb = await loadLightGBM();
    for (const c of CASES) trained.push(trainAndParse(lgb, train, c.label, c.params));
  });
  afterAll(() => {
    for (const t of trained) t.free();
  });

  it.each(CASES.map((c, i) => ({ name: c.name, i })))("$name: decoded predictions are bitwise equal to the text-parsed model's", async ({ i }) => {
    const t = trained[i]!;
    const text = parseModel(t.text);
    const bytes = encodeModelBinary([{ name: "model.txt", sourceSha256: await sha256Hex(t.text), model: text }]);
    const [entry] = decodeModelBinary(bytes);
    expect(entry!.name).toBe("model.txt");
    expect(entry!.sourceSha256).toBe(await sha256Hex(t.text));
    const m = entry!.model;
    expect(m.info).toEqual(text.info);
    expect(bitwiseDifferences(predictions(text), predictions(m))).toEqual([]);
    // single rows, raw scores and an iteration range take the same paths
    const k = m.numOutputs;
    const one = new Float64Array(k);
    const ref = new Float64Array(k);
    for (let r = 0; r < 200; r++) {
      const row = serve.data.subarray(r * serve.cols, (r + 1) * serve.cols);
      m.predictInto(row, one);
      text.predictInto(row, ref);
      expect(bitwiseDifferences(ref, one)).toEqual([]);
    }
    const opts = { startIteration: 1, numIteration: 5, rawScore: true };
    expect(bitwiseDifferences(text.predictBatch(serve.data, serve.rows, opts), m.predictBatch(serve.data, serve.rows, opts))).toEqual([]);
  });

  it("holds several models, in order, and encodes deterministically", async () => {
    const entries = await Promise.all(
      trained.slice(0, 3).map(async (t, k) => ({ name: `hourly/${k}`, sourceSha256: await sha256Hex(t.text), model: parseModel(t.text) })),
    );
    const bytes = encodeModelBinary(entries);
    expect(encodeModelBinary(entries)).toEqual(bytes);
    const decoded = decodeModelBinary(bytes);
    expect(decoded.map((e) => e.name)).toEqual(["hourly/0", "hourly/1", "hourly/2"]);
    decoded.forEach((d, k) => expect(bitwiseDifferences(predictions(entries[k]!.model), predictions(d.model))).toEqual([]));
    // re-encoding the decoded models gives the same bytes (nothing lost in the round trip)
    expect(encodeModelBinary(decoded)).toEqual(bytes);
    // decodes from an unaligned view too (it copies)
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(bitwiseDifferences(predictions(entries[2]!.model), predictions(decodeModelBinary(shifted.subarray(3))[2]!.model))).toEqual([]);
  });

  describe("refuses damaged containers with a ModelBinaryError", () => {
    let bytes: Uint8Array;
    let model: Model;
    beforeAll(async () => {
      model = parseModel(trained[0]!.text);
      bytes = encodeModelBinary([{ name: "model.txt", sourceSha256: await sha256Hex(trained[0]!.text), model }]);
    });
    const refused = (b: Uint8Array, problem: string, message: RegExp) => {
      let err: unknown;
      try {
        decodeModelBinary(b);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelBinaryError);
      expect((err as ModelBinaryError).problem).toBe(problem);
      expect((err as Error).message).toMatch(message);
    };
    const headerOf = (b: Uint8Array) =>
      JSON.parse(new TextDecoder().decode(b.subarray(16, 16 + new DataView(b.buffer).getUint32(12, true)))) as {
        entries: { arrays: Record<string, [string, number, number]> }[];
      };

    it("not a compiled model, or too short", () => {
      refused(new TextEncoder().encode("tree\nversion=v4\nnum_class=1\n"), "not-compiled-model", /magic/);
      refused(bytes.subarray(0, 10), "not-compiled-model", /too short/);
    });
    it("another format version", () => {
      const b = bytes.slice();
      new DataView(b.buffer).setUint32(8, MODEL_BINARY_VERSION + 1, true);
      refused(b, "version", new RegExp(`format version ${MODEL_BINARY_VERSION + 1}`));
    });
    it("truncated data or header", () => {
      refused(bytes.slice(0, bytes.length - 8), "corrupt", /outside the data/);
      refused(bytes.slice(0, 40), "corrupt", /header claims/);
    });
    it("a header that is not JSON", () => {
      const b = bytes.slice();
      b[17] = 0xff;
      refused(b, "corrupt", /not UTF-8 JSON/);
    });
    it("a child link outside the forest", () => {
      const b = bytes.slice();
      const [, offset] = headerOf(b).entries[0]!.arrays.leftChild!;
      new DataView(b.buffer).setInt32(offset, 1 << 24, true);
      refused(b, "corrupt", /node 0 links backwards or outside its tree/);
    });
    it("a link back to an earlier node (a loop)", () => {
      const b = bytes.slice();
      const [, offset] = headerOf(b).entries[0]!.arrays.nanChild!;
      new DataView(b.buffer).setInt32(offset + 4, 0, true);
      refused(b, "corrupt", /node 1 links backwards/);
    });
    it("a split on a feature the model does not have", () => {
      const b = bytes.slice();
      const [, offset] = headerOf(b).entries[0]!.arrays.splitFeature!;
      new DataView(b.buffer).setInt32(offset, model.numFeatures, true);
      refused(b, "corrupt", /splits on feature/);
    });
  });
});
