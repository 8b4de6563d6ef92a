// Logger implementations (src/ports/logger.ts) that print one line per record: JSON lines for the
// Worker (Workers Logs index the fields) and readable lines for the CLI's stderr. Both pass every
// finished line through `redact` (the KMA service key in all its encodings, tokens), so a secret that
// reached a message or a field by mistake still never gets printed. Errors in fields become
// { name, message }.
import type { LogFields, Logger } from "../ports/logger.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LineLoggerOptions {
  /** Records below this level are dropped. Default "info". */
  minLevel?: LogLevel;
  redact?: (text: string) => string;
  /** Fields added to every record (e.g. { job: "ingest" }). */
  base?: LogFields;
  now?: () => Date;
}

function plain(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === "bigint") return value.toString();
  return value;
}

function make(
  write: (line: string, level: LogLevel) => void,
  format: (level: LogLevel, message: string, fields: LogFields) => string,
  options: LineLoggerOptions,
): Logger {
  const min = RANK[options.minLevel ?? "info"];
  const redact = options.redact ?? ((t: string) => t);
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const all: LogFields = { ...options.base, ...fields };
    for (const k of Object.keys(all)) all[k] = plain(all[k]);
    let line: string;
    try {
      line = format(level, message, all);
    } catch {
      line = format(level, message, { fields: "(not serializable)" });
    }
    write(redact(line), level);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** {"level":"info","message":"...","time":"...Z",...fields} per line. */
export function jsonLinesLogger(write: (line: string, level: LogLevel) => void, options: LineLoggerOptions = {}): Logger {
  const now = options.now ?? (() => new Date());
  return make(
    write,
    (level, message, fields) => JSON.stringify({ level, message, time: now().toISOString(), ...fields }, (_k, v: unknown) => plain(v)),
    options,
  );
}

/** `warn: message (key=value, ...)` per line. */
export function textLogger(write: (line: string, level: LogLevel) => void, options: LineLoggerOptions = {}): Logger {
  return make(
    write,
    (level, message, fields) => {
      const parts = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v, (_k, x: unknown) => plain(x))}`);
      return `${level}: ${message}${parts.length ? ` (${parts.join(", ")})` : ""}`;
    },
    options,
  );
}
