// Migrations as the code knows them: an id ('0001_observations_forecasts_ingest', the .sql file name
// without extension), its SQL, and the SHA-256 of that SQL, which the database records when the
// migration is applied so that a later edit of an applied migration is caught.
import { InvalidMigrationError } from "./migration-errors.ts";
import { sha256Hex } from "../ids/sha256.ts";

export interface MigrationSource {
  id: string;
  sql: string;
}

export interface Migration extends MigrationSource {
  /** Lowercase hex SHA-256 of the UTF-8 SQL text. */
  checksum: string;
}

/** Four digits, an underscore, then lowercase words joined by single underscores. */
export const MIGRATION_ID_PATTERN = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)$/;

export { sha256Hex } from "../ids/sha256.ts";

/**
 * The SQL with comments, string literals and quoted identifiers blanked out (statement boundaries
 * kept), so that checks only see keywords and punctuation. `unterminated` names a comment or literal
 * that never ends (it would swallow whatever follows the SQL).
 */
export function sqlSkeleton(sql: string): { text: string; unterminated?: string } {
  let unterminated: string | undefined;
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
      out += " ";
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end === -1) unterminated ??= "block comment";
      i = end === -1 ? sql.length : end + 2;
      out += " ";
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(close, j);
        if (k === -1) {
          unterminated ??= c === "'" ? "string literal" : "quoted identifier";
          j = sql.length;
          break;
        }
        if (close !== "]" && sql[k + 1] === close) {
          j = k + 2; // doubled quote inside the literal
          continue;
        }
        j = k + 1;
        break;
      }
      out += c === "'" ? "''" : "x";
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return unterminated === undefined ? { text: out } : { text: out, unterminated };
}

const TRANSACTION_CONTROL =
  /^(BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?|COMMIT(\s+TRANSACTION)?|END(\s+TRANSACTION)?|ROLLBACK\b.*|SAVEPOINT\b.*|RELEASE\b.*|VACUUM\b.*|PRAGMA\s+(\w+\.)?(foreign_keys|journal_mode)\b.*)$/is;
const CREATE_TRIGGER = /^CREATE\s+(TEMP\s+|TEMPORARY\s+)?TRIGGER\b/i;

/**
 * The first statement that must not appear in a migration, or undefined. The runner wraps every
 * migration in its own transaction, so a migration must not begin, end or split transactions, and
 * must not run statements SQLite refuses or ignores inside one (VACUUM, journal_mode, foreign_keys).
 */
export function findForbiddenStatement(sql: string): string | undefined {
  let inTrigger = false;
  for (const raw of sqlSkeleton(sql).text.split(";")) {
    const stmt = raw.trim().replace(/\s+/g, " ");
    if (stmt === "") continue;
    if (inTrigger) {
      if (/^END$/i.test(stmt)) inTrigger = false;
      continue;
    }
    if (CREATE_TRIGGER.test(stmt)) {
      inTrigger = true;
      continue;
    }
    if (TRANSACTION_CONTROL.test(stmt)) return stmt;
  }
  return undefined;
}

/** Throws InvalidMigrationError unless ids are well formed, unique, strictly ascending and the SQL is usable. */
export function validateMigrationSources(sources: readonly MigrationSource[]): void {
  let previous: { id: string; number: number } | undefined;
  for (const m of sources) {
    const match = MIGRATION_ID_PATTERN.exec(m.id);
    if (!match) {
      throw new InvalidMigrationError(
        `migration id ${JSON.stringify(m.id)} is malformed: expected four digits, an underscore and a lowercase snake_case name (e.g. 0002_add_model_runs)`,
      );
    }
    const number = Number(match[1]);
    if (previous && number <= previous.number) {
      throw new InvalidMigrationError(
        `migration ${m.id} must have a higher number than ${previous.id}: migrations are applied in the order of their numbers, each number once`,
      );
    }
    if (sqlSkeleton(m.sql).text.replace(/;/g, "").trim() === "") throw new InvalidMigrationError(`migration ${m.id} has no SQL`);
    const { unterminated } = sqlSkeleton(m.sql);
    if (unterminated) throw new InvalidMigrationError(`migration ${m.id} has an unterminated ${unterminated}`);
    const forbidden = findForbiddenStatement(m.sql);
    if (forbidden !== undefined) {
      throw new InvalidMigrationError(
        `migration ${m.id} contains "${forbidden.slice(0, 80)}": the runner applies each migration in its own transaction, so a migration must not control transactions, VACUUM or change journal_mode/foreign_keys`,
      );
    }
    previous = { id: m.id, number };
  }
}

/** Validates the list and computes checksums. */
export async function prepareMigrations(sources: readonly MigrationSource[]): Promise<Migration[]> {
  validateMigrationSources(sources);
  return Promise.all(sources.map(async (m) => ({ id: m.id, sql: m.sql, checksum: await sha256Hex(m.sql) })));
}
