import { describe, expect, it } from "vitest";
import { compareKeys, listPrefixProblem, objectKeyProblem } from "./object-key.ts";

describe("object keys", () => {
  it("accepts ordinary relative keys", () => {
    for (const key of [
      "a",
      "raw/kma/getVilageFcst/seoul/2025-05-29/0200.json",
      "서울/기온.csv",
      "a/.hidden",
      "a/..b",
      "a/b..",
      "a b/c",
      "a=b&c+d,e;f@g",
      "\u{1F600}",
    ]) {
      expect(objectKeyProblem(key)).toBeUndefined();
    }
  });

  it("explains what is wrong", () => {
    expect(objectKeyProblem("")).toBe("key is empty");
    expect(objectKeyProblem("a/")).toContain('ends with "/"');
    expect(objectKeyProblem("a//b")).toContain("empty segment");
    expect(objectKeyProblem("../a")).toContain('".." segment');
    expect(objectKeyProblem("a/./b")).toContain('"." segment');
    expect(objectKeyProblem("/a")).toContain("absolute");
    expect(objectKeyProblem("c:/a")).toContain("drive letter");
    expect(objectKeyProblem("a\\b")).toContain("backslash");
    expect(objectKeyProblem("t/2025-05-29T17:00:00Z.json")).toContain('":"');
    expect(objectKeyProblem("a?b")).toContain("Windows");
    expect(objectKeyProblem("a\u0000")).toContain("NUL");
    expect(objectKeyProblem("a\u007f")).toContain("U+007F");
    expect(objectKeyProblem("a/.~b")).toContain("reserved");
    expect(objectKeyProblem("\udc00")).toContain("surrogate");
    expect(objectKeyProblem("가".repeat(342))).toContain("1024 bytes"); // 1026 bytes in UTF-8
    expect(objectKeyProblem("가".repeat(341))).toBeUndefined(); // 1023 bytes
    expect(objectKeyProblem(42)).toContain("must be a string");
  });

  it("allows list prefixes that end mid-segment or with a slash", () => {
    for (const prefix of ["", "raw/", "raw/kma/getV", "raw/kma/getVilageFcst/seoul/2025-05-", "a/."]) expect(listPrefixProblem(prefix)).toBeUndefined();
    for (const prefix of ["/", "a//", "../", "a/../b", "a\\", "a/.~"]) expect(listPrefixProblem(prefix)).toBeDefined();
  });

  it("orders keys by code point, like UTF-8 bytes", () => {
    const encoder = new TextEncoder();
    const byBytes = (a: string, b: string) => {
      const x = encoder.encode(a);
      const y = encoder.encode(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    const keys = ["a", "a/b", "a-b", "a.b", "a0", "A", "서울", "\uFF01", "\u{1F600}", "\u{1F600}a", "\uE000", "", "~", "\u00e9", "e\u0301"];
    const sign = (n: number) => Math.sign(n);
    for (const a of keys) for (const b of keys) expect(sign(compareKeys(a, b))).toBe(sign(byBytes(a, b)));
    expect(compareKeys("\uFF01", "\u{1F600}")).toBeLessThan(0); // UTF-16 code units would say the opposite
  });
});
