// Reading training runs back: one run with everything it recorded, or a list of summaries.
import type { Database, Row } from "../ports/database.ts";
import { assertLocationId, KeySchemeError } from "../storage/keys.ts";
import type { DatasetFingerprint } from "./dataset-fingerprint.ts";
import { RunNotFoundError, TrackingInputError } from "./errors.ts";
import type { JsonObject } from "./json.ts";
import type { RunMetrics } from "./metrics.ts";

export type RunStatus = "running" | "succeeded" | "failed";
export const RUN_STATUSES: readonly RunStatus[] = ["running", "succeeded", "failed"];

export interface CodeVersion {
  /** package.json version. */
  packageVersion: string;
  /** Lowercase hex git commit, when the caller knows it. */
  gitCommit: string | null;
}

export interface RunArtifact {
  /** File name, e.g. 'model.txt'. */
  name: string;
  /** Object store key: models/{location}/{runId}/{name}. */
  key: string;
  /** SHA-256 of the bytes read back after writing. */
  sha256: string;
  sizeBytes: number;
  contentType: string | null;
  createdAt: string;
}

export interface TrainingRun {
  id: string;
  location: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  /** ended - started (whole seconds, as stored); null while running. */
  durationMs: number | null;
  params: JsonObject;
  metrics: RunMetrics;
  /** Milliseconds per phase. */
  phases: Record<string, number>;
  code: CodeVersion;
  dataset: DatasetFingerprint | null;
  error: { class: string; message: string | null } | null;
  artifacts: RunArtifact[];
}

/** A run in a list: enough for a table. */
export interface RunSummary {
  id: string;
  location: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** Holdout RMSE of the model and of persistence (°C), and the skill; null when not logged. */
  rmse: number | null;
  persistenceRmse: number | null;
  skill: number | null;
  errorClass: string | null;
}

export interface ListRunsFilter {
  location?: string;
  status?: RunStatus;
  /** 1..1000, default 20. Newest first. */
  limit?: number;
}

const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function duration(started: string, ended: string | null): number | null {
  return ended === null ? null : Date.parse(ended) - Date.parse(started);
}

export function checkLocationFilter(location: string): void {
  try {
    assertLocationId(location);
  } catch (e) {
    if (e instanceof KeySchemeError) throw new TrackingInputError(e.message);
    throw e;
  }
}

function runFromRow(r: Row, artifacts: RunArtifact[]): TrainingRun {
  const startedAt = str(r.started_at);
  const endedAt = strOrNull(r.ended_at);
  const dataset: DatasetFingerprint | null =
    r.dataset_sha256 === null
      ? null
      : {
          rows: Number(r.dataset_rows),
          from: str(r.dataset_from),
          to: str(r.dataset_to),
          features: JSON.parse(str(r.dataset_features)) as string[],
          featureSpecVersion: str(r.feature_spec_version),
          sha256: str(r.dataset_sha256),
        };
  return {
    id: str(r.id),
    location: str(r.location_id),
    status: str(r.status) as RunStatus,
    startedAt,
    endedAt,
    durationMs: duration(startedAt, endedAt),
    params: JSON.parse(str(r.params)) as JsonObject,
    metrics: JSON.parse(str(r.metrics)) as RunMetrics,
    phases: JSON.parse(str(r.phases)) as Record<string, number>,
    code: { packageVersion: str(r.package_version), gitCommit: strOrNull(r.git_commit) },
    dataset,
    error: r.error_class === null ? null : { class: str(r.error_class), message: strOrNull(r.error_message) },
    artifacts,
  };
}

function artifactFromRow(r: Row): RunArtifact {
  return {
    name: str(r.name),
    key: str(r.object_key),
    sha256: str(r.sha256),
    sizeBytes: Number(r.size_bytes),
    contentType: strOrNull(r.content_type),
    createdAt: str(r.created_at),
  };
}

/** The run with its artifacts, or null when there is none with that id. */
export async function getRun(db: Pick<Database, "batch">, runId: string): Promise<TrainingRun | null> {
  const [runs, artifacts] = await db.batch(
    [
      { sql: "SELECT * FROM training_runs WHERE id = ?", args: [runId] },
      { sql: "SELECT * FROM run_artifacts WHERE run_id = ? ORDER BY name", args: [runId] },
    ],
    "read",
  );
  const row = runs!.rows[0];
  return row === undefined ? null : runFromRow(row, artifacts!.rows.map(artifactFromRow));
}

/** The run, or RunNotFoundError. */
export async function requireRun(db: Pick<Database, "batch">, runId: string): Promise<TrainingRun> {
  const run = await getRun(db, runId);
  if (run === null) throw new RunNotFoundError(runId);
  return run;
}

/** Runs newest first (by id, which sorts by start time), optionally of one location and status. */
export async function listRuns(db: Pick<Database, "execute">, filter: ListRunsFilter = {}): Promise<RunSummary[]> {
  const limit = filter.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new TrackingInputError(`limit must be a whole number from 1 to 1000, got ${limit}`);
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.location !== undefined) {
    checkLocationFilter(filter.location);
    where.push("location_id = ?");
    args.push(filter.location);
  }
  if (filter.status !== undefined) {
    if (!RUN_STATUSES.includes(filter.status))
      throw new TrackingInputError(`status must be one of ${RUN_STATUSES.join(", ")}, got ${JSON.stringify(filter.status)}`);
    where.push("status = ?");
    args.push(filter.status);
  }
  const rs = await db.execute({
    sql: `SELECT id, location_id, status, started_at, ended_at, error_class,
        json_extract(metrics, '$.holdout.model.rmse') AS rmse,
        json_extract(metrics, '$.holdout.persistence.rmse') AS persistence_rmse,
        json_extract(metrics, '$.holdout.skill') AS skill
      FROM training_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY id DESC LIMIT ?`,
    args: [...args, limit],
  });
  return rs.rows.map((r) => {
    const startedAt = str(r.started_at);
    const endedAt = strOrNull(r.ended_at);
    return {
      id: str(r.id),
      location: str(r.location_id),
      status: str(r.status) as RunStatus,
      startedAt,
      endedAt,
      durationMs: duration(startedAt, endedAt),
      rmse: numOrNull(r.rmse),
      persistenceRmse: numOrNull(r.persistence_rmse),
      skill: numOrNull(r.skill),
      errorClass: strOrNull(r.error_class),
    };
  });
}
