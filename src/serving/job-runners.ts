// Jobs the admin API can start (POST /v1/admin/jobs/{name}/run). The app gets them as an injected map,
// so it never imports job internals: `nalssi serve` and the Worker each wire the runners they can run.

export const JOB_NAMES = ["ingest", "train"] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobRequest {
  /** The location asked for, or null for every configured location. */
  location: string | null;
  trigger: "admin";
}

export interface JobResult {
  ok: boolean;
  /** What the job did (JSON; no secrets). */
  summary: Record<string, unknown>;
}

export type JobRunner = (request: JobRequest) => Promise<JobResult>;
export type JobRunners = Readonly<Partial<Record<JobName, JobRunner>>>;

/** The job cannot run here as configured (e.g. no KMA service key): the caller is told why (409). */
export class JobUnavailableError extends Error {
  override name = "JobUnavailableError";
}
