// The rules every object store enforces on keys, and the key order every store lists in.
//
// A key is 1..1024 UTF-8 bytes (R2's limit) of `/`-separated segments. Rejected, so that a key can
// always be a relative path under a folder and means the same thing in R2, on disk and in memory:
// a leading `/` or a drive letter (`C:`), empty segments (`a//b`, `a/`), `.` and `..` segments,
// backslashes, NUL and other control characters, the characters Windows file names cannot hold
// (< > : " | ? *), lone UTF-16 surrogates, and segments starting with `.~` (reserved for the local
// folder store's temporary and sidecar files).
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ObjectStoreOperation } from "../ports/object-store.ts";

export const MAX_KEY_BYTES = 1024;
export const RESERVED_SEGMENT_PREFIX = ".~";

const encoder = new TextEncoder();
// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const LONE_SURROGATE = /\p{Surrogate}/u;
const WINDOWS_RESERVED = /[<>:"|?*]/;

function describeChar(text: string, pattern: RegExp): string {
  const ch = text.match(pattern)?.[0] ?? "";
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Problems shared by keys and list prefixes; undefined when fine. */
function textProblem(text: string, what: string): string | undefined {
  if (text.includes("\u0000")) return `${what} contains a NUL character`;
  if (CONTROL.test(text)) return `${what} contains the control character ${describeChar(text, CONTROL)}`;
  if (text.includes("\\")) return `${what} contains a backslash; use "/" to separate segments`;
  if (LONE_SURROGATE.test(text)) return `${what} contains an unpaired UTF-16 surrogate (not valid Unicode)`;
  if (text.startsWith("/")) return `${what} is absolute (starts with "/"); keys are relative`;
  if (/^[A-Za-z]:/.test(text)) return `${what} starts with a drive letter ("${text.slice(0, 2)}"); keys are relative`;
  if (WINDOWS_RESERVED.test(text))
    return `${what} contains ${JSON.stringify(text.match(WINDOWS_RESERVED)?.[0])}, which file names on Windows cannot hold (reserved: < > : " | ? *)`;
  if (encoder.encode(text).length > MAX_KEY_BYTES) return `${what} is longer than ${MAX_KEY_BYTES} bytes (UTF-8)`;
  return undefined;
}

function segmentProblem(segment: string, what: string): string | undefined {
  if (segment === "..") return `${what} has a ".." segment`;
  if (segment === ".") return `${what} has a "." segment`;
  if (segment.startsWith(RESERVED_SEGMENT_PREFIX))
    return `${what} has a segment starting with "${RESERVED_SEGMENT_PREFIX}" (reserved for the store's own files)`;
  return undefined;
}

/** Why the key is not acceptable, or undefined when it is. */
export function objectKeyProblem(key: unknown): string | undefined {
  if (typeof key !== "string") return `key must be a string, got ${key === null ? "null" : typeof key}`;
  if (key === "") return "key is empty";
  const text = textProblem(key, "key");
  if (text) return text;
  const segments = key.split("/");
  if (segments.some((s) => s === "")) return key.endsWith("/") ? `key ends with "/" (an empty last segment)` : 'key has an empty segment ("//")';
  for (const s of segments) {
    const p = segmentProblem(s, "key");
    if (p) return p;
  }
  return undefined;
}

/**
 * Why the list prefix is not acceptable, or undefined. A prefix may be empty, end with `/` or end in
 * the middle of a segment (`raw/kma/getV`); its complete segments follow the key rules.
 */
export function listPrefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix !== "string") return `prefix must be a string, got ${prefix === null ? "null" : typeof prefix}`;
  if (prefix === "") return undefined;
  const text = textProblem(prefix, "prefix");
  if (text) return text;
  const segments = prefix.split("/");
  const complete = segments.slice(0, -1);
  const last = segments[segments.length - 1] ?? "";
  if (complete.some((s) => s === "")) return 'prefix has an empty segment ("//")';
  for (const s of complete) {
    const p = segmentProblem(s, "prefix");
    if (p) return p;
  }
  if (last.startsWith(RESERVED_SEGMENT_PREFIX)) return `prefix has a segment starting with "${RESERVED_SEGMENT_PREFIX}" (reserved for the store's own files)`;
  return undefined;
}

/** Throws ObjectStoreError (`invalid-key`) naming the key and the problem. */
export function assertObjectKey(operation: ObjectStoreOperation, key: string): void {
  const problem = objectKeyProblem(key);
  if (problem) throw new ObjectStoreError(operation, String(key), `invalid key: ${problem}`, { code: "invalid-key" });
}

/** Throws ObjectStoreError (`invalid-key`) naming the prefix and the problem. */
export function assertListPrefix(prefix: string): void {
  const problem = listPrefixProblem(prefix);
  if (problem) throw new ObjectStoreError("list", String(prefix), `invalid prefix: ${problem}`, { code: "invalid-key" });
}

/**
 * Key order: by Unicode code point, which equals UTF-8 byte order (R2's and S3's list order). Plain
 * `<` on JS strings compares UTF-16 code units and puts U+10000.. before U+E000..U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Both are in the BMP outside the surrogate range, or both are surrogates: code units order
    // like code points. A surrogate (a code point >= U+10000) sorts after any other BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1;
  }
  return a.length - b.length;
}
