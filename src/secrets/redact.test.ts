import { describe, expect, it } from "vitest";
import { REDACTED, createRedactor, scrubSecrets, secretForms } from "./redact.ts";

// A data.go.kr key: the "Decoding" form has '+', '/', '='; the "Encoding" form is it percent-encoded.
const DECODED = "abc+def/ghi==XYZ123";
const ENCODED = encodeURIComponent(DECODED);

describe("createRedactor", () => {
  it("removes every spelling of a key given in its Decoding form", () => {
    const redact = createRedactor([DECODED]);
    const text = `a ${DECODED} b ${ENCODED} c ${ENCODED.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())} d ${encodeURIComponent(ENCODED)} e ${DECODED.replace(/\+/g, " ")}`;
    const out = redact(text);
    expect(out).not.toContain("def");
    expect(out).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED} d ${REDACTED} e ${REDACTED}`);
  });

  it("removes the decoded key when the secret is given in its percent-encoded (Encoding) form", () => {
    // The Worker's KMA_SERVICE_KEY secret may hold the Encoding form; a message can carry either.
    const redact = createRedactor([ENCODED]);
    expect(redact(`fetch failed for key ${DECODED}`)).toBe(`fetch failed for key ${REDACTED}`);
    expect(redact(`fetch failed for key ${ENCODED}`)).toBe(`fetch failed for key ${REDACTED}`);
  });

  it("redacts any serviceKey query parameter, and several secrets at once", () => {
    const redact = createRedactor(["tok_1234567890", undefined, ""]);
    expect(redact("GET http://h/x?serviceKey=whatever&pageNo=1 with tok_1234567890")).toBe(`GET http://h/x?serviceKey=${REDACTED}&pageNo=1 with ${REDACTED}`);
    expect(createRedactor([], "***")("http://h/x?a=1&ServiceKey=abc#f")).toBe("http://h/x?a=1&ServiceKey=***#f");
  });

  it("ignores empty and very short secrets (they would shred ordinary text)", () => {
    expect(createRedactor(["", "a", "ab"])("a b c")).toBe("a b c");
    expect(secretForms("abc")).toEqual([]);
  });
});

describe("scrubSecrets", () => {
  it("removes a secret in any spelling from message, stack and causes, keeping the error object", () => {
    const cause = new Error(`inner ${ENCODED}`);
    const e = new TypeError(`outer ${DECODED}`, { cause });
    expect(scrubSecrets(e, [DECODED])).toBe(e);
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe(`outer ${REDACTED}`);
    expect(e.stack).not.toContain(DECODED);
    expect((e.cause as Error).message).toBe(`inner ${REDACTED}`);
    expect(scrubSecrets(`text with ${DECODED}`, [DECODED])).toBe(`text with ${REDACTED}`);
  });

  it("ignores empty and very short secrets", () => {
    expect(scrubSecrets(new Error("a b c"), ["", "a"]).message).toBe("a b c");
  });
});
