import { describe, expect, it } from "vitest";
import { boundedNames, clipText, listText, MAX_LISTED, MAX_NAME_CHARS } from "./bounded-list.ts";

describe("bounded lists in errors", () => {
  it("lists a few names, clipped, then a count", () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `f${i}`);
    expect(listText(names)).toBe("f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 and 99990 more");
    expect(listText(["a", "b"])).toBe("a, b");
    expect(boundedNames(names)).toHaveLength(MAX_LISTED);
    const long = "x".repeat(1_000_000);
    expect(boundedNames([long])[0]).toHaveLength(MAX_NAME_CHARS);
    expect(clipText("abcdef", 4)).toBe("abc…");
    expect(clipText("abc", 4)).toBe("abc");
  });
});
