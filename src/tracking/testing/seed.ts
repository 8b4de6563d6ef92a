// Test helpers (runtime-agnostic): a migrated in-memory database and a complete, succeeded training
// run with real artifacts, as the training pipeline would record it.
import { createClient } from "@libsql/client";
import type { Client } from "@libsql/client";
import { fixedClock } from "../../ports/clock.ts";
import { migrate } from "../../db/migrate.ts";
import { fingerprintDataset } from "../dataset-fingerprint.ts";
import { scrubSecrets } from "../../secrets/redact.ts";
import type { ArtifactOptions, StartRunInput, Tracker } from "../tracker.ts";
import type { DatasetFingerprint } from "../dataset-fingerprint.ts";
import type { RunArtifact } from "../runs.ts";
import type { RunMetricsInput } from "../metrics.ts";

export async function openMigratedMemoryDb(): Promise<Client> {
  const db = createClient({ url: ":memory:" });
  await migrate(db, { clock: fixedClock("2025-05-01T00:00:00Z") });
  return db;
}

export interface SeedRunOptions {
  location?: string;
  rmse: number;
  persistenceRmse: number;
  /** Holdout window (default April 2025) and its rows. */
  from?: string;
  to?: string;
  n?: number;
  params?: Record<string, unknown>;
  /** Text of model.txt (default: a stand-in that names the rmse). */
  model?: string;
  featureSpecVersion?: string;
}

/** Records a succeeded run with params, dataset, metrics, phases and the three artifacts. */
export async function seedRun(tracker: Tracker, o: SeedRunOptions): Promise<string> {
  const from = o.from ?? "2025-04-01T00:00:00Z";
  const to = o.to ?? "2025-05-01T00:00:00Z";
  const n = o.n ?? 720;
  const { runId } = await recordRun(
    tracker,
    {
      location: o.location ?? "seoul",
      code: { packageVersion: "0.1.0", gitCommit: "0123abcd" },
      params: { objective: "regression", learning_rate: 0.05, ...o.params },
    },
    async (run) => {
      const features = ["temperature", "humidity", "hour_sin"];
      const data = Float64Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? Number.NaN : i * 0.5));
      const labels = Float64Array.from({ length: 10 }, (_, i) => i - 2);
      await run.logDataset(
        await fingerprintDataset({
          data,
          labels,
          features,
          from: "2024-01-01T00:00:00Z",
          to: from,
          featureSpecVersion: o.featureSpecVersion ?? "nalssi-features-v1",
        }),
      );
      await run.logPhases({ features: 120, train: 3400 });
      const metrics = {
        holdout: {
          from,
          to,
          n,
          model: { rmse: o.rmse, mae: o.rmse * 0.8, bias: 0.1 },
          persistence: { rmse: o.persistenceRmse, mae: o.persistenceRmse * 0.8, bias: 0 },
          climatology: { rmse: 3.1, mae: 2.5, bias: -0.2 },
          kma: null,
          skill: 1 - o.rmse / o.persistenceRmse,
        },
        by_month: [{ month: "2025-04", n, model: { rmse: o.rmse, mae: o.rmse * 0.8 }, skill: 1 - o.rmse / o.persistenceRmse }],
      };
      await run.logMetrics(metrics);
      await run.logArtifact("model.txt", o.model ?? `tree\nversion=v4\n# rmse ${o.rmse}\n`);
      await run.logJsonArtifact("features.json", { version: o.featureSpecVersion ?? "nalssi-features-v1", horizonHours: 24, target: "delta", features });
      await run.logJsonArtifact("metrics.json", metrics);
    },
  );
  return runId;
}

/** A running run, as recordRun hands it to the work (tests). */
export interface RunHandle {
  readonly id: string;
  readonly location: string;
  logParams(params: Record<string, unknown>): Promise<void>;
  logDataset(fingerprint: DatasetFingerprint): Promise<void>;
  logMetrics(metrics: RunMetricsInput): Promise<void>;
  logPhases(phases: Record<string, number>): Promise<void>;
  timePhase<T>(phase: string, work: () => Promise<T> | T): Promise<T>;
  logArtifact(name: string, body: Uint8Array | string, options?: ArtifactOptions): Promise<RunArtifact>;
  logJsonArtifact(name: string, value: unknown): Promise<RunArtifact>;
}

/**
 * Starts a run, gives `work` a handle to log with, and ends the run: succeeded when `work`
 * resolves, failed (with the error, redacted of `secrets`) when it throws — then rethrows.
 */
export async function recordRun<T>(
  tracker: Tracker,
  input: StartRunInput,
  work: (run: RunHandle) => Promise<T>,
  options: { secrets?: readonly string[] } = {},
): Promise<{ runId: string; result: T }> {
  const runId = await tracker.startRun(input);
  const run: RunHandle = {
    id: runId,
    location: input.location,
    logParams: (p) => tracker.logParams(runId, p),
    logDataset: (d) => tracker.logDataset(runId, d),
    logMetrics: (m) => tracker.logMetrics(runId, m),
    logPhases: (p) => tracker.logPhases(runId, p),
    timePhase: (phase, w) => tracker.timePhase(runId, phase, w),
    logArtifact: (name, body, o) => tracker.logArtifact(runId, name, body, o),
    logJsonArtifact: (name, value) => tracker.logJsonArtifact(runId, name, value),
  };
  let result: T;
  try {
    result = await work(run);
  } catch (e) {
    try {
      await tracker.endRun(runId, { status: "failed", error: e, secrets: options.secrets ?? [] });
    } catch (endError) {
      throw new Error(`could not record the failure of run ${runId}: ${scrubSecrets((endError as Error).message, options.secrets ?? [])}`, { cause: e });
    }
    throw e;
  }
  await tracker.endRun(runId, { status: "succeeded" });
  return { runId, result };
}
