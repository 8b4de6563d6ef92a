// Errors as they are recorded and printed: one home for the error's class (its name, plus the kind or
// code that says what went wrong: 'KmaError:no-data', 'LibsqlError:SQLITE_CONSTRAINT_CHECK') and
// its message as one line (whitespace collapsed, secrets removed, bounded). Used by the ingest and
// pipeline run records, the tracker and the runner's logs.

/** Collapses whitespace (including newlines) so a message is always one line, at most `max` characters. */
export function oneLine(text: string, max = 500): string {
  const s = text.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A short class for the error: its name, plus `:kind` or `:code` when it has one (at most 200 characters). */
export function errorClassOf(e: unknown): string {
  const o = (typeof e === "object" && e !== null ? e : {}) as { name?: unknown; kind?: unknown; code?: unknown };
  const name = typeof o.name === "string" && o.name.trim() ? o.name.trim() : "Error";
  const detail = typeof o.kind === "string" && o.kind ? o.kind : typeof o.code === "string" && o.code ? o.code : undefined;
  return (detail ? `${name}:${detail}` : name).slice(0, 200);
}

/**
 * The error's message as one line, secrets removed (`redact`), at most `max` characters; never empty.
 * `firstLine`: only its first line (the pipeline records: later lines are details such as a tool's output).
 */
export function errorMessageOf(e: unknown, options: { redact?: (text: string) => string; max?: number; firstLine?: boolean } = {}): string {
  const message = e instanceof Error ? e.message : String(e);
  const text = options.firstLine ? (message.split("\n")[0] ?? "") : message;
  return oneLine(options.redact ? options.redact(text) : text, options.max ?? 1000) || "(no message)";
}
