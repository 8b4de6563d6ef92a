// The data.go.kr service key. Portal keys are shown in two forms: "Encoding" (already percent-encoded:
// contains %2B, %2F, %3D) and "Decoding" (raw base64 with '+', '/', '='). We accept either, keep the
// decoded form, and percent-encode it exactly once on the wire. URLSearchParams is not used for it:
// it would form-encode (space <-> '+') and makes double encoding easy.
import { createRedactor, redactKeyParams } from "../secrets/redact.ts";
import { KmaError } from "./errors.ts";

const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/;

/** The decoded key; decodes once if it looks percent-encoded. Throws KmaError(invalid-argument) without echoing the key. */
export function normalizeServiceKey(input: string): string {
  if (typeof input !== "string") throw new KmaError("KMA service key is not a string", { kind: "invalid-argument" });
  const trimmed = input.trim();
  if (trimmed === "") throw new KmaError("KMA service key is empty (set it from data.go.kr, Encoding or Decoding form)", { kind: "invalid-argument" });
  let key = trimmed;
  if (PERCENT_ESCAPE.test(trimmed)) {
    try {
      key = decodeURIComponent(trimmed);
    } catch {
      throw new KmaError(`KMA service key has a broken percent escape (length ${trimmed.length}); paste the Encoding or Decoding key exactly`, {
        kind: "invalid-argument",
      });
    }
  }
  if (/[\s%]/.test(key) || /[^\x21-\x7e]/.test(key)) {
    throw new KmaError(`KMA service key contains whitespace, '%' or non-ASCII characters after decoding (length ${key.length}); paste it exactly`, {
      kind: "invalid-argument",
    });
  }
  return key;
}

/** The key as it goes into the query string: percent-encoded once ('+' -> %2B, '/' -> %2F, '=' -> %3D). */
export function encodeServiceKey(decodedKey: string): string {
  return encodeURIComponent(decodedKey);
}

/** The URL with the value of any serviceKey/ServiceKey parameter replaced by ***. */
export function redactUrl(url: string): string {
  return redactKeyParams(url, "***");
}

/**
 * Text with every form of the key (decoded, encoded, lower-case-encoded, form-encoded) replaced by ***,
 * and any serviceKey=... parameter redacted (src/secrets/redact.ts). Use on anything printed, thrown or stored.
 */
export function redactSecret(text: string, decodedKey: string | undefined): string {
  return createRedactor([decodedKey], "***")(text);
}
