// Plain JSON values for what a run records (parameters, metrics, phase durations): checked before
// they are stored, so that a NaN, a Date or a class instance is an error naming where it is instead
// of a silent `null` or `{}` from JSON.stringify.
import { TrackingInputError } from "./errors.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 32;

function convert(value: unknown, path: string, depth: number): JsonValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    throw new TrackingInputError(`${path} is ${value}: only finite numbers can be recorded`);
  }
  if (depth > MAX_DEPTH) throw new TrackingInputError(`${path} is nested more than ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (v === undefined) throw new TrackingInputError(`${path}[${i}] is undefined`);
      return convert(v, `${path}[${i}]`, depth + 1);
    });
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const kind = value instanceof Date ? "a Date (record an ISO string)" : `a ${(value as object).constructor?.name ?? "non-plain object"}`;
      throw new TrackingInputError(`${path} is ${kind}: only plain JSON objects, arrays, strings, finite numbers, booleans and null can be recorded`);
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // an absent optional field
      out[k] = convert(v, `${path}.${k}`, depth + 1);
    }
    return out;
  }
  throw new TrackingInputError(`${path} is a ${typeof value}: only JSON values can be recorded`);
}

/** A deep copy of `value` as a JSON object; throws TrackingInputError naming the first bad value. */
export function toJsonObject(value: unknown, what: string): JsonObject {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TrackingInputError(`${what} must be a JSON object, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`);
  }
  return convert(value, what, 0) as JsonObject;
}

/** Deep equality of JSON values (object key order does not matter). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** Parameter names that look like credentials: such values must never be stored. */
const SECRET_KEY = /(secret|token|passw(or)?d|service_?key|api_?key|auth(orization)?$|credential)/i;

/** Throws when any key (at any depth) looks like a credential. */
export function assertNoSecretKeys(value: JsonValue, what: string): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoSecretKeys(v, `${what}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k)) throw new TrackingInputError(`${what}.${k} looks like a credential: secrets must never be recorded with a run`);
    assertNoSecretKeys(v, `${what}.${k}`);
  }
}
