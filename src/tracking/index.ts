// Experiment tracking: training runs in libSQL, their artifacts in the object store.
export { Tracker, MAX_ERROR_MESSAGE_LENGTH, MAX_JSON_BYTES } from "./tracker.ts";
export type { ArtifactOptions, RunHandle, RunOutcome, StartRunInput, TrackerDeps } from "./tracker.ts";
export { getRun, listRuns, requireRun, RUN_STATUSES } from "./runs.ts";
export type { CodeVersion, ListRunsFilter, RunArtifact, RunStatus, RunSummary, TrainingRun } from "./runs.ts";
export { compareRuns, diffMaps, flatten } from "./compare.ts";
export type { RunComparison, ValueDiff } from "./compare.ts";
export { fingerprintDataset, datasetHashBytes, DATASET_HASH_FORMAT } from "./dataset-fingerprint.ts";
export type { DatasetFingerprint, DatasetInput } from "./dataset-fingerprint.ts";
export { parseRunMetrics } from "./metrics.ts";
export type { BaselineScores, ErrorScores, HoldoutMetrics, MonthMetrics, RunMetrics, RunMetricsInput } from "./metrics.ts";
export { newRunId, isRunId, RUN_ID_PATTERN } from "./run-id.ts";
export { ArtifactIntegrityError, RunNotFoundError, RunStateError, TrackingInputError } from "./errors.ts";
export type { JsonObject, JsonValue } from "./json.ts";
