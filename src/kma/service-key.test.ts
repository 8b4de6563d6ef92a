import { describe, expect, it } from "vitest";
import { KmaError } from "./errors.ts";
import { encodeServiceKey, normalizeServiceKey, redactSecret, redactUrl } from "./service-key.ts";

// Made-up keys in the shape of data.go.kr keys. Not real.
const DECODED = "Tz3n+Kq8/WmX1vB7yR2+pL0dE5fG/hJ9sA4cN6oQ==";
const ENCODED = "Tz3n%2BKq8%2FWmX1vB7yR2%2BpL0dE5fG%2FhJ9sA4cN6oQ%3D%3D";
const LOWER_ESCAPES = ENCODED.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

describe("service key forms", () => {
  it("keeps the Decoding form and decodes the Encoding form once", () => {
    expect(normalizeServiceKey(DECODED)).toBe(DECODED);
    expect(normalizeServiceKey(ENCODED)).toBe(DECODED);
    expect(normalizeServiceKey(LOWER_ESCAPES)).toBe(DECODED);
    expect(normalizeServiceKey(`  ${ENCODED}\n`)).toBe(DECODED);
    expect(normalizeServiceKey("abcdef0123456789")).toBe("abcdef0123456789"); // hex keys need no encoding
  });

  it("encodes exactly once: + / = become %2B %2F %3D, never %25", () => {
    const wire = encodeServiceKey(normalizeServiceKey(ENCODED));
    expect(wire).toBe(ENCODED);
    expect(encodeServiceKey(normalizeServiceKey(DECODED))).toBe(ENCODED);
    expect(wire).not.toContain("%25");
    expect(wire).not.toMatch(/[+/=]/);
  });

  it("rejects empty and broken keys without echoing them", () => {
    for (const bad of ["", "   ", "abc%2", "abc%ZZdef", "has space", "한글키"]) {
      let caught: unknown;
      try {
        normalizeServiceKey(bad);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(KmaError);
      expect((caught as KmaError).kind).toBe("invalid-argument");
      if (bad.trim().length > 3) expect((caught as KmaError).message).not.toContain(bad.trim());
    }
  });
});

describe("redaction", () => {
  it("replaces the serviceKey value in any URL", () => {
    expect(redactUrl(`http://h/x/getVilageFcst?serviceKey=${ENCODED}&pageNo=1`)).toBe("http://h/x/getVilageFcst?serviceKey=***&pageNo=1");
    expect(redactUrl(`http://h/x?pageNo=1&ServiceKey=${DECODED}`)).toBe("http://h/x?pageNo=1&ServiceKey=***");
    expect(redactUrl(`http://h/x?a=1&SERVICEKEY=abc#frag`)).toBe("http://h/x?a=1&SERVICEKEY=***#frag");
    expect(redactUrl("http://h/x?pageNo=1")).toBe("http://h/x?pageNo=1");
  });

  it("removes every form of the key from free text", () => {
    const text = `a ${DECODED} b ${ENCODED} c ${LOWER_ESCAPES} d ${encodeURIComponent(ENCODED)} e ${DECODED.replace(/\+/g, " ")}`;
    const out = redactSecret(text, DECODED);
    expect(out).toBe("a *** b *** c *** d *** e ***");
  });
});
