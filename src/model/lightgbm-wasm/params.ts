import { closest as nearest, distance } from "fastest-levenshtein";

// LightGBM parameters as JS values, formatted the way LightGBM's own parser reads them
// ("key=value" pairs separated by spaces, list values joined with commas).

export type ParamValue = string | number | boolean | readonly (string | number)[];
export type Params = Readonly<Record<string, ParamValue>>;

function formatValue(key: string, value: ParamValue): string {
  if (Array.isArray(value)) return value.map((v) => formatValue(key, v)).join(",");
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`parameter ${key}: ${value} is not a finite number`);
    return String(value);
  }
  const s = String(value);
  if (s === "" || /[\s=]/.test(s)) throw new TypeError(`parameter ${key}: value ${JSON.stringify(s)} may not be empty or contain spaces or '='`);
  return s;
}

export function formatParams(params: Params): string {
  return Object.entries(params)
    .map(([key, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new TypeError(`parameter name ${JSON.stringify(key)} is not valid`);
      return `${key}=${formatValue(key, value)}`;
    })
    .join(" ");
}

/**
 * LightGBM's alias table (from LGBM_DumpParamAliases): canonical name -> aliases.
 * `resolve` maps any name or alias to its canonical name.
 */
export class ParamAliases {
  readonly #canonical = new Map<string, string>();
  constructor(table: Readonly<Record<string, readonly string[]>>) {
    for (const [name, aliases] of Object.entries(table)) {
      this.#canonical.set(name, name);
      for (const a of aliases) this.#canonical.set(a, name);
    }
  }
  resolve(name: string): string | undefined {
    return this.#canonical.get(name);
  }
  names(): string[] {
    return [...new Set(this.#canonical.values())];
  }
  /** The value given for a canonical parameter under any of its names; the last one wins, as in LightGBM. */
  lookup(params: Params, canonical: string): ParamValue | undefined {
    let found: ParamValue | undefined;
    for (const [k, v] of Object.entries(params)) if (this.resolve(k) === canonical) found = v;
    return found;
  }
  /** Names that are neither a LightGBM parameter nor an alias, with the closest known name. */
  unknown(params: Params): { name: string; suggestion: string | undefined }[] {
    return Object.keys(params)
      .filter((k) => !this.#canonical.has(k))
      .map((name) => ({ name, suggestion: closest(name, [...this.#canonical.keys()]) }));
  }
}

function closest(word: string, candidates: string[]): string | undefined {
  const best = nearest(word, candidates);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Parses LightGBM's "key=value key2=v1,v2" form (as on its command line); values stay strings. */
export function parseParams(tokens: string | readonly string[]): Record<string, string> {
  const list = typeof tokens === "string" ? tokens.split(/\s+/).filter(Boolean) : tokens;
  const out: Record<string, string> = {};
  for (const t of list) {
    const eq = t.indexOf("=");
    const key = t.slice(0, eq).trim();
    const value = t.slice(eq + 1).trim();
    if (eq <= 0 || !key || !value) throw new TypeError(`"${t}" is not a LightGBM parameter; write key=value (e.g. num_leaves=31)`);
    out[key] = value;
  }
  return out;
}
