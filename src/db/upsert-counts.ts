// Idempotent upserts are two statements per row, run in one batch:
//   1. INSERT ... ON CONFLICT DO NOTHING                       -> 1 row affected if the row is new
//   2. UPDATE ... WHERE <key> AND <some value differs>         -> 1 row affected if it changed
// so a re-run with the same data changes nothing (not even updated_at) and every row is counted
// exactly once as inserted, updated or skipped (the ingest_runs counters).
import type { InStatement, ResultSet } from "../ports/database.ts";

export interface UpsertStatements {
  insert: InStatement;
  update: InStatement;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  skipped: number;
}

/** The statements of several upserts, in the order countUpserts expects their results. */
export function upsertBatch(upserts: readonly UpsertStatements[]): InStatement[] {
  return upserts.flatMap((u) => [u.insert, u.update]);
}

/** Counts from the results of upsertBatch (insert and update results alternate). */
export function countUpserts(results: readonly ResultSet[]): UpsertCounts {
  if (results.length % 2 !== 0) throw new Error(`upsert results come in pairs (insert, update); got ${results.length} results`);
  const counts: UpsertCounts = { inserted: 0, updated: 0, skipped: 0 };
  for (let i = 0; i < results.length; i += 2) {
    const inserted = results[i]!.rowsAffected;
    const updated = results[i + 1]!.rowsAffected;
    if (inserted + updated > 1) throw new Error(`upsert ${i / 2} both inserted and updated a row; the statements are not a pair`);
    if (inserted === 1) counts.inserted++;
    else if (updated === 1) counts.updated++;
    else counts.skipped++;
  }
  return counts;
}

export function addCounts(a: UpsertCounts, b: UpsertCounts): UpsertCounts {
  return { inserted: a.inserted + b.inserted, updated: a.updated + b.updated, skipped: a.skipped + b.skipped };
}
