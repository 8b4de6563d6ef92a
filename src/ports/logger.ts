// Port: structured logging. Adapters print JSON lines (Workers) or readable lines (CLI).
// Never pass secrets in fields; callers redact URLs first.
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Keeps every record; for tests. */
export function memoryLogger(): Logger & { records: { level: string; message: string; fields?: LogFields }[] } {
  const records: { level: string; message: string; fields?: LogFields }[] = [];
  const at = (level: string) => (message: string, fields?: LogFields) => void records.push({ level, message, ...(fields ? { fields } : {}) });
  return { records, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
