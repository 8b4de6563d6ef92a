// The one secret redactor. Secrets (the KMA service key, the libSQL auth token, the admin token) must
// never reach a log line, an error message, a stored row, an object or a response. A secret can show
// up in several spellings: as given, percent-decoded (the data.go.kr "Encoding" key), percent-encoded
// once or twice, with lower-case escapes, or form-encoded ('+' read as a space). Every spelling is
// replaced, and so is the value of any serviceKey=... query parameter (the KMA key in a URL).

export const REDACTED = "[REDACTED]";

/** Shorter secrets would shred ordinary text. */
const MIN_SECRET_LENGTH = 4;

const KEY_PARAM = /([?&](?:servicekey)=)[^&#]*/gi;

function decodeOnce(text: string): string | undefined {
  if (!/%[0-9A-Fa-f]{2}/.test(text)) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Every spelling of a secret that may appear in text, longest first. */
export function secretForms(secret: string): string[] {
  const s = secret.trim();
  const bases = [s, decodeOnce(s)].filter((b): b is string => b !== undefined);
  const forms = new Set<string>();
  for (const b of bases) {
    const encoded = encodeURIComponent(b);
    forms.add(b);
    forms.add(encoded);
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    forms.add(encodeURIComponent(encoded));
    forms.add(b.replace(/\+/g, " "));
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** The URL (or any text) with the value of every serviceKey/ServiceKey parameter replaced by `marker`. */
export function redactKeyParams(text: string, marker = REDACTED): string {
  return text.replace(KEY_PARAM, `$1${marker}`);
}

export type Redactor = (text: string) => string;

/** A redactor for these secrets (undefined, empty and very short ones are ignored). */
export function createRedactor(secrets: readonly (string | undefined)[], marker = REDACTED): Redactor {
  const forms = [...new Set(secrets.flatMap((s) => (s && s.trim().length >= MIN_SECRET_LENGTH ? secretForms(s) : [])))].sort((a, b) => b.length - a.length);
  return (text) => forms.reduce((t, f) => t.split(f).join(marker), redactKeyParams(text, marker));
}

/**
 * Replaces every secret in the error's message, stack and causes (the error object is kept, so
 * instanceof still works); a string is redacted and returned.
 */
export function scrubSecrets<E>(error: E, secrets: readonly (string | undefined)[]): E {
  const live = secrets.filter((s): s is string => typeof s === "string" && s.trim().length >= MIN_SECRET_LENGTH);
  if (live.length === 0) return error;
  const forms = live.flatMap(secretForms);
  const clean = createRedactor(live);
  if (typeof error === "string") return clean(error) as E;
  const seen = new Set<unknown>();
  let e: unknown = error;
  while (e !== null && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const o = e as { message?: unknown; stack?: unknown; cause?: unknown };
    for (const key of ["message", "stack"] as const) {
      const v = o[key];
      if (typeof v === "string" && forms.some((f) => v.includes(f))) {
        try {
          Object.defineProperty(o, key, { value: clean(v), writable: true, configurable: true, enumerable: false });
        } catch {
          // A frozen error cannot carry the secret away from us either way: replace it instead.
          return new Error(clean(String(o.message ?? "error"))) as E;
        }
      }
    }
    e = o.cause;
  }
  return error;
}
