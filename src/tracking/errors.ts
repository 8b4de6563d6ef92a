// Errors of experiment tracking. Each message is one line that names the run and the problem.

/** No training run has this id (the CLI prints it and exits 1, like an HTTP 404). */
export class RunNotFoundError extends Error {
  override name = "RunNotFoundError";
  readonly code = "not-found";
  readonly runId: string;
  constructor(runId: string) {
    super(`no training run ${JSON.stringify(runId)}`);
    this.runId = runId;
  }
}

/** The run is not in a state that allows the operation (e.g. logging to a run that has ended). */
export class RunStateError extends Error {
  override name = "RunStateError";
}

/** What the caller passed cannot be recorded (not JSON, a changed parameter, a bad metric). */
export class TrackingInputError extends Error {
  override name = "TrackingInputError";
}

/** An artifact read back from the object store is not what was written. */
export class ArtifactIntegrityError extends Error {
  override name = "ArtifactIntegrityError";
}
