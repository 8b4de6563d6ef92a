// Keeps secrets (the libSQL auth token) out of error messages. The clients send the token only in
// an Authorization header, so it should never reach a message; this is the second line of defence:
// every error coming out of the wrapped database has each secret replaced in its message, stack and
// causes before anyone can log it. The error objects themselves are kept (instanceof still works).
import type { TransactionMode } from "@libsql/client";
import type { Database, InArgs, InStatement, ResultSet, Transaction } from "../ports/database.ts";
import { scrubSecrets } from "../secrets/redact.ts";

async function guard<T>(secrets: readonly string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw scrubSecrets(e, secrets);
  }
}

function guardTransaction(tx: Transaction, secrets: readonly string[]): Transaction {
  return {
    execute: (stmt: InStatement) => guard(secrets, () => tx.execute(stmt)),
    batch: (stmts: InStatement[]) => guard(secrets, () => tx.batch(stmts)),
    executeMultiple: (sql: string) => guard(secrets, () => tx.executeMultiple(sql)),
    rollback: () => guard(secrets, () => tx.rollback()),
    commit: () => guard(secrets, () => tx.commit()),
    close: () => tx.close(),
    get closed() {
      return tx.closed;
    },
  };
}

/** The same database, but no error it throws contains any of the secrets. */
export function withSecretsScrubbed(db: Database, secrets: readonly (string | undefined)[]): Database {
  const list = secrets.filter((s): s is string => typeof s === "string" && s.length > 0);
  if (list.length === 0) return db;
  function execute(stmt: InStatement): Promise<ResultSet>;
  function execute(sql: string, args?: InArgs): Promise<ResultSet>;
  function execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    return guard(list, () => (typeof stmtOrSql === "string" ? db.execute(stmtOrSql, args) : db.execute(stmtOrSql)));
  }
  return {
    execute,
    batch: (stmts, mode) => guard(list, () => db.batch(stmts, mode)),
    transaction: (mode?: TransactionMode) => guard(list, async () => guardTransaction(await db.transaction(mode), list)),
    executeMultiple: (sql) => guard(list, () => db.executeMultiple(sql)),
    close: () => db.close(),
  };
}
