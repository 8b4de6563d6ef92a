// Registered model versions: a succeeded training run becomes a version of its location. The
// version string is the run's UTC start second from modelVersionAt ('20250529T183000Z'), with
// '-2', '-3' ... when a location has two registered runs that started in the same second; it sorts
// in training order. The row copies what serving and the gate need from the run: artifact keys and
// SHA-256s, the feature spec version and the holdout scores.
import type { Clock } from "../ports/clock.ts";
import type { Database, Row } from "../ports/database.ts";
import { toUtcSecondFloor } from "../db/utc-time.ts";
import { assertLocationId, KeySchemeError, modelVersionAt } from "../storage/keys.ts";
import { requireRun } from "../tracking/runs.ts";
import type { RunArtifact } from "../tracking/runs.ts";
import { GateInputError, RegistrationError, VersionNotFoundError, WrongLocationError } from "./errors.ts";

export interface ModelVersion {
  location: string;
  version: string;
  runId: string;
  registeredAt: string;
  model: { key: string; sha256: string };
  featureSpec: { key: string; sha256: string; version: string };
  metricsArtifact: { key: string; sha256: string } | null;
  /** The compiled model (src/registry/compiled.ts) written at registration; null before migration 0005 or without an object store. */
  compiled: { key: string; sha256: string } | null;
  holdout: {
    from: string;
    to: string;
    n: number;
    rmse: number;
    mae: number;
    persistenceRmse: number;
    climatologyRmse: number | null;
    kmaRmse: number | null;
    skill: number;
  };
}

export interface RegisterOptions {
  /** Artifact names in the run (defaults: model.txt, features.json, metrics.json — the last optional). */
  modelArtifact?: string;
  featureSpecArtifact?: string;
  metricsArtifact?: string;
  /** The compiled model written beside model.txt (Registry.register does this when it has an object store). */
  compiled?: { key: string; sha256: string } | null;
}

export function checkLocation(location: string): void {
  try {
    assertLocationId(location);
  } catch (e) {
    if (e instanceof KeySchemeError) throw new GateInputError(e.message);
    throw e;
  }
}

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function versionFromRow(r: Row): ModelVersion {
  return {
    location: String(r.location_id),
    version: String(r.version),
    runId: String(r.run_id),
    registeredAt: String(r.registered_at),
    model: { key: String(r.model_key), sha256: String(r.model_sha256) },
    featureSpec: { key: String(r.feature_spec_key), sha256: String(r.feature_spec_sha256), version: String(r.feature_spec_version) },
    metricsArtifact: r.metrics_key === null ? null : { key: String(r.metrics_key), sha256: String(r.metrics_sha256) },
    compiled: r.compiled_key == null || r.compiled_sha256 == null ? null : { key: String(r.compiled_key), sha256: String(r.compiled_sha256) },
    holdout: {
      from: String(r.holdout_from),
      to: String(r.holdout_to),
      n: Number(r.holdout_n),
      rmse: Number(r.rmse),
      mae: Number(r.mae),
      persistenceRmse: Number(r.persistence_rmse),
      climatologyRmse: numOrNull(r.climatology_rmse),
      kmaRmse: numOrNull(r.kma_rmse),
      skill: Number(r.skill),
    },
  };
}

export async function getVersion(db: Pick<Database, "execute">, location: string, version: string): Promise<ModelVersion | null> {
  const rs = await db.execute({ sql: "SELECT * FROM model_versions WHERE location_id = ? AND version = ?", args: [location, version] });
  const row = rs.rows[0];
  return row === undefined ? null : versionFromRow(row);
}

/** The version, or VersionNotFoundError — WrongLocationError when it exists under another location. */
export async function requireVersion(db: Pick<Database, "execute">, location: string, version: string): Promise<ModelVersion> {
  checkLocation(location);
  const found = await getVersion(db, location, version);
  if (found) return found;
  const elsewhere = await db.execute({ sql: "SELECT location_id FROM model_versions WHERE version = ? ORDER BY location_id", args: [version] });
  if (elsewhere.rows.length > 0)
    throw new WrongLocationError(
      version,
      location,
      elsewhere.rows.map((r) => String(r.location_id)),
    );
  const known = await db.execute({ sql: "SELECT count(*) AS n FROM model_versions WHERE location_id = ?", args: [location] });
  const n = Number(known.rows[0]?.n ?? 0);
  throw new VersionNotFoundError(location, version, n === 0 ? " (it has no registered versions)" : ` (see \`nalssi models --location ${location}\`)`);
}

/** Versions newest first, of one location or all. */
export async function listVersions(db: Pick<Database, "execute">, filter: { location?: string; limit?: number } = {}): Promise<ModelVersion[]> {
  const limit = filter.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new GateInputError(`limit must be a whole number from 1 to 1000, got ${limit}`);
  if (filter.location !== undefined) checkLocation(filter.location);
  const rs = await db.execute(
    filter.location === undefined
      ? { sql: "SELECT * FROM model_versions ORDER BY version DESC, location_id LIMIT ?", args: [limit] }
      : { sql: "SELECT * FROM model_versions WHERE location_id = ? ORDER BY version DESC LIMIT ?", args: [filter.location, limit] },
  );
  return rs.rows.map(versionFromRow);
}

function artifact(artifacts: readonly RunArtifact[], name: string, runId: string, what: string): RunArtifact {
  const a = artifacts.find((x) => x.name === name);
  if (!a) {
    const have = artifacts.map((x) => x.name).join(", ") || "none";
    throw new RegistrationError(`training run ${runId} has no ${what} artifact ${JSON.stringify(name)} (it has: ${have})`);
  }
  return a;
}

function isVersionConflict(e: unknown): boolean {
  return /UNIQUE constraint failed: model_versions\.location_id, model_versions\.version/i.test(e instanceof Error ? e.message : "");
}

/** Makes a succeeded run a version of its location. A run is registered at most once. */
export async function registerVersion(db: Database, clock: Clock, runId: string, options: RegisterOptions = {}): Promise<ModelVersion> {
  const run = await requireRun(db, runId);
  if (run.status !== "succeeded") throw new RegistrationError(`training run ${runId} is ${run.status}: only a succeeded run can be registered`);
  const holdout = run.metrics.holdout;
  if (!holdout) throw new RegistrationError(`training run ${runId} has no holdout metrics (log metrics.holdout): the promotion gate needs them`);
  if (!run.dataset)
    throw new RegistrationError(`training run ${runId} has no dataset fingerprint (logDataset): a version must say which feature spec it needs`);
  const model = artifact(run.artifacts, options.modelArtifact ?? "model.txt", runId, "model");
  const spec = artifact(run.artifacts, options.featureSpecArtifact ?? "features.json", runId, "feature spec");
  const metrics = run.artifacts.find((a) => a.name === (options.metricsArtifact ?? "metrics.json")) ?? null;
  const already = await db.execute({ sql: "SELECT version FROM model_versions WHERE run_id = ?", args: [runId] });
  if (already.rows.length > 0)
    throw new RegistrationError(`training run ${runId} is already registered as version ${String(already.rows[0]!.version)} of ${run.location}`);

  const base = modelVersionAt(new Date(run.startedAt));
  for (let attempt = 1; attempt <= 5; attempt++) {
    const taken = await db.execute({
      sql: "SELECT version FROM model_versions WHERE location_id = ? AND (version = ? OR version GLOB ? || '-[0-9]*')",
      args: [run.location, base, base],
    });
    const suffixes = taken.rows.map((r) => String(r.version)).map((v) => (v === base ? 1 : Number(v.slice(base.length + 1))));
    const next = suffixes.length === 0 ? 1 : Math.max(...suffixes) + 1;
    const version = next === 1 ? base : `${base}-${next}`;
    try {
      await db.execute({
        sql: `INSERT INTO model_versions (location_id, version, run_id, registered_at, model_key, model_sha256, feature_spec_key, feature_spec_sha256,
            feature_spec_version, metrics_key, metrics_sha256, holdout_from, holdout_to, holdout_n, rmse, mae, persistence_rmse, climatology_rmse, kma_rmse, skill,
            compiled_key, compiled_sha256)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          run.location,
          version,
          runId,
          toUtcSecondFloor(clock.now(), "registeredAt"),
          model.key,
          model.sha256,
          spec.key,
          spec.sha256,
          run.dataset.featureSpecVersion,
          metrics?.key ?? null,
          metrics?.sha256 ?? null,
          holdout.from,
          holdout.to,
          holdout.n,
          holdout.model.rmse,
          holdout.model.mae,
          holdout.persistence.rmse,
          holdout.climatology?.rmse ?? null,
          holdout.kma?.rmse ?? null,
          holdout.skill,
          options.compiled?.key ?? null,
          options.compiled?.sha256 ?? null,
        ],
      });
    } catch (e) {
      if (isVersionConflict(e)) continue; // registered concurrently in the same second: take the next suffix
      if (/UNIQUE constraint failed: model_versions\.run_id/i.test((e as Error).message)) {
        throw new RegistrationError(`training run ${runId} was registered concurrently`);
      }
      throw e;
    }
    return (await getVersion(db, run.location, version))!;
  }
  throw new RegistrationError(`could not find a free version name for ${run.location} at ${base} after 5 attempts`);
}
