// One step's rows in ONE write transaction, together with the statements that must commit with
// them (finishing or advancing the ingest run). Either everything commits or nothing does: any
// failure rolls back and rethrows. Large steps are sent in chunks, all inside the same transaction.
//
// Each upsert is the pair from src/db/upsert-counts.ts (INSERT ... DO NOTHING, then UPDATE ... WHERE
// a value differs). Inside the transaction the inserts of a chunk go first; the UPDATE is sent only
// for the rows whose INSERT changed nothing (for a row this transaction has just inserted it could
// not change anything). Same outcome and counts as sending every pair, half the statements for new
// data.
import type { Database, InStatement } from "../ports/database.ts";
import type { UpsertCounts, UpsertStatements } from "../db/upsert-counts.ts";

/**
 * Upserts per batch request (two statements each): a whole KMA short-term forecast issue (~950
 * items for one grid point) goes in ONE batch (~0.7 MB over HTTP), so an ingest step is one libSQL
 * batch (plus the run's start, finish and commit), not one request per row or per 250 rows.
 */
export const UPSERTS_PER_BATCH = 1000;

export interface CommitOptions {
  /** Statements run after the upserts, in the same transaction; given the counts. */
  then?: (counts: UpsertCounts) => InStatement[];
  /** Checks each `then` result: statements whose index is listed must change exactly one row. */
  mustChangeOneRow?: readonly number[];
}

export class RowsNotCommittedError extends Error {
  override name = "RowsNotCommittedError";
}

export async function commitUpserts(db: Database, upserts: readonly UpsertStatements[], options: CommitOptions = {}): Promise<UpsertCounts> {
  const tx = await db.transaction("write");
  try {
    const counts: UpsertCounts = { inserted: 0, updated: 0, skipped: 0 };
    for (let i = 0; i < upserts.length; i += UPSERTS_PER_BATCH) {
      const chunk = upserts.slice(i, i + UPSERTS_PER_BATCH);
      const inserted = await tx.batch(chunk.map((u) => u.insert));
      const existing = chunk.filter((_, j) => inserted[j]!.rowsAffected === 0);
      counts.inserted += chunk.length - existing.length;
      if (existing.length === 0) continue;
      const updated = await tx.batch(existing.map((u) => u.update));
      for (const rs of updated) {
        if (rs.rowsAffected > 1) throw new RowsNotCommittedError(`an upsert's UPDATE changed ${rs.rowsAffected} rows; it must change at most one`);
        if (rs.rowsAffected === 1) counts.updated++;
        else counts.skipped++;
      }
    }
    const after = options.then?.(counts) ?? [];
    for (let i = 0; i < after.length; i++) {
      const rs = await tx.execute(after[i]!);
      if (options.mustChangeOneRow?.includes(i) && rs.rowsAffected !== 1) {
        throw new RowsNotCommittedError(`statement ${i} after the rows changed ${rs.rowsAffected} rows instead of 1 (the ingest run is not running any more?)`);
      }
    }
    await tx.commit();
    return counts;
  } catch (e) {
    // The original error is what the caller must see; a rollback that fails as well (the connection
    // is gone) leaves nothing committed either, and close() below releases the connection.
    if (!tx.closed) await tx.rollback().catch(() => undefined);
    throw e;
  } finally {
    tx.close();
  }
}
