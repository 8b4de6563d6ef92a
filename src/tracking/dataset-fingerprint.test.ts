// The dataset fingerprint: documented byte format, sensitivity to every value, NaN canonicalization.
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../ids/sha256.ts";
import { datasetHashBytes, fingerprintDataset } from "./dataset-fingerprint.ts";

const base = {
  data: Float64Array.from([1.5, Number.NaN, -2, 0]),
  labels: Float64Array.from([0.25, -1]),
  features: ["temperature", "humidity"],
  from: "2024-01-01T00:00:00Z",
  to: "2025-04-01T00:00:00Z",
  featureSpecVersion: "nalssi-features-v1",
};

describe("fingerprintDataset", () => {
  it("hashes the documented bytes: header, then float64 little-endian matrix and labels", async () => {
    const header = new TextEncoder().encode('nalssi-dataset-v1\n2\n2\n["temperature","humidity"]\n');
    const values = new Uint8Array(8 * 6);
    const view = new DataView(values.buffer);
    [1.5, Number.NaN, -2, 0, 0.25, -1].forEach((v, i) => view.setFloat64(i * 8, v, true));
    const expected = new Uint8Array([...header, ...values]);
    expect(datasetHashBytes(base.data, base.labels, base.features)).toEqual(expected);
    const fp = await fingerprintDataset(base);
    expect(fp).toEqual({
      rows: 2,
      from: base.from,
      to: base.to,
      features: base.features,
      featureSpecVersion: "nalssi-features-v1",
      sha256: await sha256Hex(expected),
    });
  });

  it("is the same for the same data (any NaN payload, plain arrays or typed arrays)", async () => {
    const otherNaN = new Float64Array(1);
    new DataView(otherNaN.buffer).setUint32(4, 0x7ff80001, true); // a NaN with another payload
    expect(Number.isNaN(otherNaN[0])).toBe(true);
    const a = await fingerprintDataset(base);
    const b = await fingerprintDataset({ ...base, data: [1.5, otherNaN[0]!, -2, 0], labels: [0.25, -1] });
    expect(b.sha256).toBe(a.sha256);
  });

  it.each([
    { what: "one value", change: { data: Float64Array.from([1.5, Number.NaN, -2, 1e-300]) } },
    { what: "-0 for 0", change: { data: Float64Array.from([1.5, Number.NaN, -2, -0]) } },
    { what: "a label", change: { labels: Float64Array.from([0.25, -1.0000001]) } },
    { what: "the feature order", change: { features: ["humidity", "temperature"] } },
  ])("changes with $what", async ({ change }) => {
    const a = await fingerprintDataset(base);
    const b = await fingerprintDataset({ ...base, ...change });
    expect(b.sha256).not.toBe(a.sha256);
  });

  it("refuses inconsistent shapes, names and ranges", async () => {
    await expect(fingerprintDataset({ ...base, data: [1, 2, 3] })).rejects.toThrow(/3 values; 2 rows x 2 features need 4/);
    await expect(fingerprintDataset({ ...base, features: ["t", "t"], data: [1, 2, 3, 4] })).rejects.toThrow(/appears twice/);
    await expect(fingerprintDataset({ ...base, to: "2023-01-01T00:00:00Z" })).rejects.toThrow(/ends .* before it starts/);
    await expect(fingerprintDataset({ ...base, featureSpecVersion: "" })).rejects.toThrow(/featureSpecVersion/);
  });
});
