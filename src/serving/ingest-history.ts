// Reading the ingest run history (table `ingest_runs`, written by src/db/ingest-runs.ts) for the API.
import type { Database } from "../ports/database.ts";

export interface IngestRunRecord {
  id: number;
  job: string;
  locationId: string | null;
  params: Record<string, unknown> | null;
  status: "running" | "succeeded" | "failed";
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  rows: { inserted: number; updated: number; skipped: number };
  errorClass: string | null;
  errorMessage: string | null;
}

/** Newest first; limit 1..500 (default 50). */
export async function listIngestRuns(
  db: Pick<Database, "execute">,
  filter: { locationId?: string; job?: string; limit?: number } = {},
): Promise<IngestRunRecord[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.locationId !== undefined) where.push("location_id = ?"), args.push(filter.locationId);
  if (filter.job !== undefined) where.push("job = ?"), args.push(filter.job);
  args.push(Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), 500));
  const rs = await db.execute({
    sql: `SELECT * FROM ingest_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, id DESC LIMIT ?`,
    args,
  });
  return rs.rows.map((r) => {
    const startedAt = String(r.started_at);
    const finishedAt = r.finished_at === null ? null : String(r.finished_at);
    return {
      id: Number(r.id),
      job: String(r.job),
      locationId: r.location_id === null ? null : String(r.location_id),
      params: r.params === null ? null : (JSON.parse(String(r.params)) as Record<string, unknown>),
      status: String(r.status) as IngestRunRecord["status"],
      startedAt,
      finishedAt,
      durationMs: finishedAt === null ? null : Date.parse(finishedAt) - Date.parse(startedAt),
      rows: { inserted: Number(r.rows_inserted), updated: Number(r.rows_updated), skipped: Number(r.rows_skipped) },
      errorClass: r.error_class === null ? null : String(r.error_class),
      errorMessage: r.error_message === null ? null : String(r.error_message),
    };
  });
}
