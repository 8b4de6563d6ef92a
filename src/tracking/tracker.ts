// Experiment tracking (what MLflow's tracking server does, in libSQL + the object store): every
// training run is a row in `training_runs` with its parameters, dataset fingerprint, metrics, phase
// durations and code version, and its files (model text, feature spec, metrics) are objects under
// models/{location}/{runId}/ recorded in `run_artifacts` with the SHA-256 read back after writing.
//
// Either drive a run step by step:
//   const id = await tracker.startRun({ location: "seoul", code: { packageVersion: "0.1.0" } });
//   await tracker.logParams(id, {...}); ... await tracker.endRun(id, { status: "succeeded" });
//
// Logging is only possible while the run is running; a finished run never changes (the schema's
// triggers refuse it too). Parameters are write-once per key (logging the same value again is fine);
// metrics and phases are merged by top-level key, the later value replacing the earlier.
import type { Clock } from "../ports/clock.ts";
import { systemClock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Logger } from "../ports/logger.ts";
import { silentLogger } from "../ports/logger.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { scrubSecrets } from "../secrets/redact.ts";
import { errorClassOf } from "../errors/one-line.ts";
import { toUtcSecondFloor } from "../db/utc-time.ts";
import { assertLocationId, KeySchemeError, modelArtifactKey } from "../storage/keys.ts";
import { sha256Hex } from "../ids/sha256.ts";
import type { DatasetFingerprint } from "./dataset-fingerprint.ts";
import { ArtifactIntegrityError, RunNotFoundError, RunStateError, TrackingInputError } from "./errors.ts";
import { assertNoSecretKeys, jsonEqual, toJsonObject } from "./json.ts";
import type { JsonObject } from "./json.ts";
import { parseRunMetrics } from "./metrics.ts";
import type { RunMetricsInput } from "./metrics.ts";
import { newRunId } from "./run-id.ts";
import { getRun, listRuns, requireRun } from "./runs.ts";
import type { CodeVersion, ListRunsFilter, RunArtifact, RunSummary, TrainingRun } from "./runs.ts";
import { compareRuns } from "./compare.ts";
import type { RunComparison } from "./compare.ts";
import { keepRunAlive } from "../db/run-liveness.ts";

export const MAX_ERROR_MESSAGE_LENGTH = 4000;
/** Largest JSON text stored in params, metrics or phases. */
export const MAX_JSON_BYTES = 1 << 20;
const PHASE_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const GIT_COMMIT = /^[0-9a-f]{7,64}$/;

export interface TrackerDeps {
  db: Database;
  /** Where artifacts go (R2 in Workers, the local folder offline). Wrap it in withRetries for transient faults. */
  objects: ObjectStore;
  clock?: Clock;
  logger?: Logger;
}

export interface StartRunInput {
  location: string;
  code: { packageVersion: string; gitCommit?: string | null };
  params?: Record<string, unknown>;
}

export type RunOutcome =
  | { status: "succeeded" }
  | {
      status: "failed";
      error: unknown;
      /** Strings to remove from the stored message (service key, tokens). */
      secrets?: readonly string[];
    };

export interface ArtifactOptions {
  /** Default from the name: .txt text/plain, .json application/json, otherwise application/octet-stream. */
  contentType?: string;
}

function contentTypeFor(name: string): string {
  if (name.endsWith(".json")) return "application/json; charset=utf-8";
  if (name.endsWith(".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

function isPrimaryKeyConflict(e: unknown): boolean {
  return /UNIQUE constraint failed: training_runs\.id|PRIMARY KEY/i.test(e instanceof Error ? e.message : "");
}

function jsonText(value: JsonObject, what: string): string {
  const text = JSON.stringify(value);
  if (new TextEncoder().encode(text).length > MAX_JSON_BYTES) throw new TrackingInputError(`${what} is larger than ${MAX_JSON_BYTES} bytes as JSON`);
  return text;
}

function checkCode(code: StartRunInput["code"]): CodeVersion {
  const packageVersion = code?.packageVersion;
  if (typeof packageVersion !== "string" || packageVersion.trim() === "" || packageVersion.length > 64) {
    throw new TrackingInputError("code.packageVersion must be the package version, 1..64 characters");
  }
  const gitCommit = code.gitCommit == null || code.gitCommit === "" ? null : code.gitCommit.trim().toLowerCase();
  if (gitCommit !== null && !GIT_COMMIT.test(gitCommit))
    throw new TrackingInputError(`code.gitCommit must be 7..64 hex digits, got ${JSON.stringify(code.gitCommit)}`);
  return { packageVersion: packageVersion.trim(), gitCommit };
}

export class Tracker {
  readonly #db: Database;
  readonly #objects: ObjectStore;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(deps: TrackerDeps) {
    this.#db = deps.db;
    this.#objects = deps.objects;
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger ?? silentLogger;
  }

  #now(): string {
    return toUtcSecondFloor(this.#clock.now(), "now");
  }

  /** Records a new running run and returns its id. */
  async startRun(input: StartRunInput): Promise<string> {
    try {
      assertLocationId(input.location);
    } catch (e) {
      if (e instanceof KeySchemeError) throw new TrackingInputError(e.message);
      throw e;
    }
    const code = checkCode(input.code);
    const params = toJsonObject(input.params ?? {}, "params");
    assertNoSecretKeys(params, "params");
    const paramsText = jsonText(params, "params");
    const now = this.#clock.now();
    for (let attempt = 1; ; attempt++) {
      const id = newRunId(now);
      try {
        await this.#db.execute({
          sql: "INSERT INTO training_runs (id, location_id, started_at, params, package_version, git_commit) VALUES (?, ?, ?, ?, ?, ?)",
          args: [id, input.location, toUtcSecondFloor(now, "startedAt"), paramsText, code.packageVersion, code.gitCommit],
        });
        this.#logger.info("training run started", { runId: id, location: input.location });
        await keepRunAlive(this.#db, this.#clock, "training_runs", id);
        return id;
      } catch (e) {
        // Two runs in the same second with the same 32 random bits: draw again.
        if (attempt < 3 && isPrimaryKeyConflict(e)) continue;
        throw e;
      }
    }
  }

  /** Location and a JSON column of a run that is still running; otherwise the right error. */
  async #running(runId: string, column: "params" | "metrics" | "phases" | null): Promise<{ location: string; text: string }> {
    const rs = await this.#db.execute({ sql: `SELECT location_id, status, ${column ?? "NULL"} AS text FROM training_runs WHERE id = ?`, args: [runId] });
    const row = rs.rows[0];
    if (row === undefined) throw new RunNotFoundError(runId);
    if (row.status !== "running") throw new RunStateError(`training run ${runId} has already ended (${String(row.status)}); a finished run cannot change`);
    return { location: String(row.location_id), text: String(row.text) };
  }

  /** Read, merge, write back if nobody wrote in between (compare-and-set on the old text). */
  async #merge(runId: string, column: "params" | "metrics" | "phases", merge: (current: JsonObject) => JsonObject): Promise<void> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const { text } = await this.#running(runId, column);
      const next = jsonText(merge(JSON.parse(text) as JsonObject), column);
      const rs = await this.#db.execute({
        sql: `UPDATE training_runs SET ${column} = ? WHERE id = ? AND status = 'running' AND ${column} = ?`,
        args: [next, runId, text],
      });
      if (rs.rowsAffected === 1) return;
    }
    throw new RunStateError(`training run ${runId}: ${column} kept changing while being written (concurrent writers?)`);
  }

  /** Adds parameters. A parameter, once logged, keeps its value: logging another value is an error. */
  async logParams(runId: string, params: Record<string, unknown>): Promise<void> {
    const add = toJsonObject(params, "params");
    assertNoSecretKeys(add, "params");
    await this.#merge(runId, "params", (current) => {
      for (const [k, v] of Object.entries(add)) {
        if (Object.hasOwn(current, k) && !jsonEqual(current[k], v)) {
          throw new TrackingInputError(`parameter ${k} of run ${runId} is already ${JSON.stringify(current[k])}; it cannot change to ${JSON.stringify(v)}`);
        }
      }
      return { ...current, ...add };
    });
  }

  /** Records the training set's fingerprint (once; from fingerprintDataset()). */
  async logDataset(runId: string, d: DatasetFingerprint): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(d?.sha256 ?? "")) throw new TrackingInputError("dataset sha256 must be 64 lowercase hex digits (use fingerprintDataset)");
    if (!Number.isInteger(d.rows) || d.rows < 0) throw new TrackingInputError(`dataset rows must be a whole number >= 0, got ${d.rows}`);
    await this.#running(runId, null);
    const rs = await this.#db.execute({
      sql: `UPDATE training_runs SET dataset_rows = ?, dataset_from = ?, dataset_to = ?, dataset_features = ?, feature_spec_version = ?, dataset_sha256 = ?
        WHERE id = ? AND status = 'running' AND dataset_sha256 IS NULL`,
      args: [d.rows, d.from, d.to, JSON.stringify(d.features), d.featureSpecVersion, d.sha256, runId],
    });
    if (rs.rowsAffected !== 1) {
      await this.#running(runId, null);
      throw new TrackingInputError(`training run ${runId} already has a dataset fingerprint; a run trains on one dataset`);
    }
  }

  /** Records metrics (validated; see parseRunMetrics), merged by top-level key. */
  async logMetrics(runId: string, metrics: RunMetricsInput): Promise<void> {
    const add = parseRunMetrics(metrics) as JsonObject;
    await this.#merge(runId, "metrics", (current) => ({ ...current, ...add }));
  }

  /** Records phase durations in milliseconds, e.g. { features: 1203, train: 30412 }. */
  async logPhases(runId: string, phases: Record<string, number>): Promise<void> {
    const add: JsonObject = {};
    for (const [name, ms] of Object.entries(phases)) {
      if (!PHASE_NAME.test(name))
        throw new TrackingInputError(`phase name ${JSON.stringify(name)} must be lowercase snake_case (a-z, 0-9, _), at most 64 characters`);
      if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0)
        throw new TrackingInputError(`phase ${name} must last a finite number of milliseconds >= 0, got ${ms}`);
      add[name] = Math.round(ms * 1000) / 1000;
    }
    await this.#merge(runId, "phases", (current) => ({ ...current, ...add }));
  }

  /** Runs `work` and records how long it took as the phase's duration (also when it fails). */
  async timePhase<T>(runId: string, phase: string, work: () => Promise<T> | T): Promise<T> {
    if (!PHASE_NAME.test(phase))
      throw new TrackingInputError(`phase name ${JSON.stringify(phase)} must be lowercase snake_case (a-z, 0-9, _), at most 64 characters`);
    const t0 = performance.now();
    let result: T;
    try {
      result = await work();
    } catch (e) {
      try {
        await this.logPhases(runId, { [phase]: performance.now() - t0 });
      } catch (logError) {
        this.#logger.warn("could not record the duration of a failed phase", { runId, phase, error: (logError as Error).message });
      }
      throw e;
    }
    await this.logPhases(runId, { [phase]: performance.now() - t0 });
    return result;
  }

  /**
   * Writes an artifact to models/{location}/{runId}/{name}, reads it back, checks its SHA-256 and
   * records it. Each name is written once per run.
   */
  async logArtifact(runId: string, name: string, body: Uint8Array | string, options: ArtifactOptions = {}): Promise<RunArtifact> {
    const { location } = await this.#running(runId, null);
    let key: string;
    try {
      key = modelArtifactKey(location, runId, name);
    } catch (e) {
      if (e instanceof KeySchemeError) throw new TrackingInputError(`artifact name ${JSON.stringify(name)}: ${e.message}`);
      throw e;
    }
    const existing = await this.#db.execute({ sql: "SELECT 1 FROM run_artifacts WHERE run_id = ? AND name = ?", args: [runId, name] });
    if (existing.rows.length > 0)
      throw new TrackingInputError(`training run ${runId} already has an artifact ${JSON.stringify(name)}; artifacts are written once`);
    const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const sha256 = await sha256Hex(bytes);
    const contentType = options.contentType ?? contentTypeFor(name);
    await this.#objects.put(key, bytes, { contentType, metadata: { sha256, run_id: runId } });
    const back = await this.#objects.get(key);
    if (back === null) throw new ArtifactIntegrityError(`artifact ${key} is missing right after it was written`);
    const backSha = await sha256Hex(back.body);
    if (backSha !== sha256 || back.sha256 !== sha256 || back.body.length !== bytes.length) {
      throw new ArtifactIntegrityError(
        `artifact ${key} read back with SHA-256 ${backSha} (${back.body.length} bytes); ${sha256} (${bytes.length} bytes) was written`,
      );
    }
    const createdAt = this.#now();
    await this.#db.execute({
      sql: "INSERT INTO run_artifacts (run_id, name, object_key, sha256, size_bytes, content_type, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      args: [runId, name, key, sha256, bytes.length, contentType, createdAt],
    });
    return { name, key, sha256, sizeBytes: bytes.length, contentType, createdAt };
  }

  /** logArtifact of a JSON document (pretty-printed, checked to be plain JSON). */
  async logJsonArtifact(runId: string, name: string, value: unknown): Promise<RunArtifact> {
    const json = Array.isArray(value) ? toJsonObject({ value }, name).value : toJsonObject(value, name);
    return this.logArtifact(runId, name, `${JSON.stringify(json, null, 2)}\n`, { contentType: "application/json; charset=utf-8" });
  }

  /** Ends the run as succeeded, or as failed with the error's class and (redacted) message. */
  async endRun(runId: string, outcome: RunOutcome): Promise<void> {
    let errorClass: string | null = null;
    let errorMessage: string | null = null;
    if (outcome.status === "failed") {
      const e = outcome.error;
      errorClass = errorClassOf(e);
      errorMessage = scrubSecrets(e instanceof Error ? e.message : String(e), outcome.secrets ?? []);
      if (errorMessage.length > MAX_ERROR_MESSAGE_LENGTH) errorMessage = `${errorMessage.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…`;
    } else if (outcome.status !== "succeeded") {
      throw new TrackingInputError(`a run ends as "succeeded" or "failed", not ${JSON.stringify((outcome as { status: unknown }).status)}`);
    }
    const rs = await this.#db.execute({
      sql: "UPDATE training_runs SET status = ?, ended_at = max(?, started_at), error_class = ?, error_message = ? WHERE id = ? AND status = 'running'",
      args: [outcome.status, this.#now(), errorClass, errorMessage, runId],
    });
    if (rs.rowsAffected !== 1) await this.#running(runId, null); // throws the reason
    this.#logger.info("training run ended", { runId, status: outcome.status, ...(errorClass ? { errorClass } : {}) });
  }

  getRun(runId: string): Promise<TrainingRun | null> {
    return getRun(this.#db, runId);
  }

  listRuns(filter: ListRunsFilter = {}): Promise<RunSummary[]> {
    return listRuns(this.#db, filter);
  }

  /** Both runs side by side: parameters, metrics and run facts, with differences marked. */
  async compareRuns(a: string, b: string): Promise<RunComparison> {
    return compareRuns(await requireRun(this.#db, a), await requireRun(this.#db, b));
  }
}
