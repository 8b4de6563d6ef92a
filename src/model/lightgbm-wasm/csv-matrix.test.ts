import { describe, expect, it } from "vitest";
import { CsvError, parseCsvMatrix } from "./csv-matrix.ts";

describe("parseCsvMatrix", () => {
  it("reads features in file order, the label apart, empty cells as NaN", () => {
    const m = parseCsvMatrix("a,y,b\n1,10,2\n,20,4.5e1\n", { label: "y" });
    expect(m.featureNames).toEqual(["a", "b"]);
    expect(m.numRows).toBe(2);
    expect(m.numCols).toBe(2);
    expect(Array.from(m.label!)).toEqual([10, 20]);
    expect(m.data[0]).toBe(1);
    expect(m.data[1]).toBe(2);
    expect(Number.isNaN(m.data[2])).toBe(true);
    expect(m.data[3]).toBe(45);
  });

  it("reads without a label for prediction, with CRLF and a BOM", () => {
    const m = parseCsvMatrix("\uFEFFa,b\r\n1,2\r\n3,4\r\n");
    expect(m.label).toBeUndefined();
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4]);
  });

  it("names the line and column of a non-numeric cell", () => {
    expect(() => parseCsvMatrix("a,b,y\n1,2,3\n4,x7,6\n", { label: "y", source: "d.csv" })).toThrow('d.csv line 3, column "b" (2): "x7" is not a number');
  });

  it("rejects a missing label column, an empty file, a header-only file, ragged rows, an empty label", () => {
    expect(() => parseCsvMatrix("a,b\n1,2\n", { label: "y" })).toThrow('no label column "y" (columns: a, b)');
    expect(() => parseCsvMatrix("", { label: "y" })).toThrow(CsvError);
    expect(() => parseCsvMatrix("  \n", { label: "y" })).toThrow(/is empty/);
    expect(() => parseCsvMatrix("a,y\n", { label: "y" })).toThrow(/no data rows/);
    expect(() => parseCsvMatrix("a,y\n1,2\n3\n", { label: "y" })).toThrow(CsvError);
    expect(() => parseCsvMatrix("a,y\n1,\n", { label: "y" })).toThrow(/line 2: the label "y" is empty/);
    expect(() => parseCsvMatrix("a,a,y\n1,2,3\n", { label: "y" })).toThrow(/"a" appears twice/);
  });
});
