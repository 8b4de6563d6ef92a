// Space-separated number arrays of model text, read by scanning characters (no split, no
// per-token regex): parsing a 2,000-tree model is mostly this, and it runs on every cold start.
// Strict: the count must be exact and every token a number (see number-text.ts for which).
import { ModelTextError } from "./errors.ts";
import { parseDouble } from "./number-text.ts";

const SPACE = 32;

/** Number of space-separated tokens. */
export function countTokens(raw: string): number {
  let count = 0;
  let inToken = false;
  for (let i = 0; i < raw.length; i++) {
    const isSpace = raw.charCodeAt(i) === SPACE;
    if (!isSpace && !inToken) count++;
    inToken = !isSpace;
  }
  return count;
}

function tokenAt(raw: string, start: number): string {
  const end = raw.indexOf(" ", start);
  return raw.slice(start, end < 0 ? raw.length : end);
}

function checkCount(raw: string, expected: number, where: string): void {
  const count = countTokens(raw);
  if (count !== expected) throw new ModelTextError("length-mismatch", where, `${count} values, expected ${expected}`);
}

/** Reads exactly `into.length` integers in [lo, hi] into `into`. */
export function readInts(raw: string, into: Int32Array | Int8Array | Uint32Array, lo: number, hi: number, where: string): void {
  const expected = into.length;
  checkCount(raw, expected, where);
  let i = 0;
  const n = raw.length;
  for (let k = 0; k < expected; k++) {
    while (raw.charCodeAt(i) === SPACE) i++;
    const start = i;
    let sign = 1;
    let c = raw.charCodeAt(i);
    if (c === 45 || c === 43) {
      if (c === 45) sign = -1;
      i++;
      c = raw.charCodeAt(i);
    }
    let value = 0;
    let digits = 0;
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
      i++;
      c = raw.charCodeAt(i);
    }
    if (digits === 0 || digits > 15 || (i < n && c !== SPACE)) {
      throw new ModelTextError("bad-number", where, `value ${k} ${JSON.stringify(tokenAt(raw, start))} is not an integer`);
    }
    value *= sign;
    if (value < lo || value > hi) throw new ModelTextError("inconsistent", where, `value ${k} is ${value}, outside [${lo}, ${hi}]`);
    into[k] = value;
  }
}

/** A line of decimal numbers separated by single spaces (what LightGBM writes when no value is inf/nan). */
const DECIMAL_LINE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?: [+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)*$/;

/** Reads exactly `into.length` doubles into `into` (LightGBM's decimal forms; inf/nan spelled out). */
export function readDoubles(raw: string, into: Float64Array, where: string): void {
  const expected = into.length;
  if (expected > 0 && DECIMAL_LINE.test(raw)) {
    // One native regex pass validates the whole line; then every token is a decimal literal,
    // which Number() reads exactly as LightGBM does (correctly rounded).
    const tokens = raw.split(" ");
    if (tokens.length !== expected) throw new ModelTextError("length-mismatch", where, `${tokens.length} values, expected ${expected}`);
    for (let k = 0; k < expected; k++) into[k] = +tokens[k]!;
    return;
  }
  checkCount(raw, expected, where);
  let i = 0;
  const n = raw.length;
  for (let k = 0; k < expected; k++) {
    while (raw.charCodeAt(i) === SPACE) i++;
    const start = i;
    while (i < n && raw.charCodeAt(i) !== SPACE) i++;
    const token = raw.slice(start, i);
    const v = parseDouble(token);
    if (v === undefined) throw new ModelTextError("bad-number", where, `value ${k} ${JSON.stringify(token)} is not a number`);
    into[k] = v;
  }
}
