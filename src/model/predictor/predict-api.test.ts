// The predictor's calling conventions: row types, shapes, multi-output models, options, errors.
import { describe, expect, it } from "vitest";
import { PredictorUsageError } from "./errors.ts";
import { parseModel } from "./parse-model.ts";
import { buildModelText, type TreeSpec } from "./testing/model-text-builder.ts";

const split = (feature: number, threshold: number, values: [number, number]): TreeSpec => ({
  splitFeature: [feature],
  threshold: [threshold],
  decisionType: [2],
  leftChild: [-1],
  rightChild: [-2],
  leafValue: values,
});

describe("Model API", () => {
  const regression = parseModel(buildModelText({ numFeatures: 2, trees: [split(0, 0.5, [1, 2]), split(1, 0, [0.25, -0.25])] }));
  const multiclass = parseModel(
    buildModelText({
      numFeatures: 2,
      objective: "multiclass num_class:2",
      numClass: 2,
      trees: [split(0, 0.5, [1, 2]), split(1, 0, [0, 3]), split(0, 0.5, [0.5, 0.5]), split(1, 0, [1, 0])],
    }),
  );

  it("takes number[], Float64Array and Float32Array rows alike", () => {
    expect(regression.predict([0, 1])).toBe(0.75);
    expect(regression.predict(new Float64Array([1, -1]))).toBe(2.25);
    expect(regression.predict(new Float32Array([1, -1]))).toBe(2.25);
    expect(Array.from(regression.predictBatch([0, 1, 1, -1], 2))).toEqual([0.75, 2.25]);
    expect(Array.from(regression.predictBatch(new Float32Array([0, 1, 1, -1]), 2))).toEqual([0.75, 2.25]);
    expect(regression.predictBatch(new Float64Array(0), 0)).toHaveLength(0);
  });

  it("describes the model", () => {
    expect(regression.numFeatures).toBe(2);
    expect(regression.featureNames).toEqual(["f0", "f1"]);
    expect(regression.numOutputs).toBe(1);
    expect(regression.info).toMatchObject({
      numTrees: 2,
      numIterations: 2,
      numClass: 1,
      averageOutput: false,
      hasLinearTrees: false,
      numNodes: 2,
      numLeaves: 4,
    });
    expect(regression.info.objective).toMatchObject({ name: "none", transform: "identity" });
    expect(multiclass.numOutputs).toBe(2);
    expect(multiclass.info.objective).toMatchObject({ name: "multiclass", transform: "softmax", numClass: 2 });
  });

  it("gives multiclass rows as numOutputs values (row-major in batches), and refuses predict() for them", () => {
    const out = new Float64Array(4);
    multiclass.predictInto([0, 1], out, 2, { rawScore: true });
    expect(Array.from(out)).toEqual([0, 0, 1.5, 3]); // class 0: trees 0 and 2; class 1: trees 1 and 3
    const batch = multiclass.predictBatch([0, 1, 1, -1], 2, { rawScore: true });
    expect(Array.from(batch)).toEqual([1.5, 3, 2.5, 1]);
    const p = multiclass.predictBatch([0, 1], 1);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 15);
    expect(() => multiclass.predict([0, 1])).toThrow(PredictorUsageError);
    expect(() => multiclass.predict([0, 1])).toThrow(/gives 2 values per row.*use predictInto or predictBatch/);
  });

  it("selects iterations like LightGBM (start clamped, num <= 0 meaning all the rest)", () => {
    expect(regression.predict([0, 1], { numIteration: 1 })).toBe(1);
    expect(regression.predict([0, 1], { startIteration: 1 })).toBe(-0.25);
    expect(regression.predict([0, 1], { startIteration: 1, numIteration: 5 })).toBe(-0.25);
    expect(regression.predict([0, 1], { startIteration: 9 })).toBe(0);
    expect(regression.predict([0, 1], { startIteration: -4, numIteration: -1 })).toBe(0.75);
    expect(() => regression.predict([0, 1], { startIteration: 0.5 })).toThrow(/startIteration must be an integer/);
  });

  it("refuses rows and matrices of the wrong shape", () => {
    expect(() => regression.predict([1])).toThrow(PredictorUsageError);
    expect(() => regression.predict([1, 2, 3])).toThrow(/the row has 3 values, the model has 2 features \(f0, f1\)/);
    expect(() => regression.predictBatch([1, 2, 3], 2)).toThrow(/the matrix has 3 values, expected numRows x numFeatures = 2 x 2 = 4/);
    expect(() => regression.predictBatch([1, 2], 1.5)).toThrow(/numRows must be a non-negative integer/);
    expect(() => multiclass.predictInto([0, 1], new Float64Array(3), 2)).toThrow(/out has 3 values; cannot write 2 at offset 2/);
  });
});
