// The JSON API the dashboard reads (the same origin): the response shapes it uses.

export interface ApiErrorBody {
  error: { code: string; message: string; details: unknown };
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GET a JSON document; statuses in `accept` (e.g. 503 from /healthz, whose body is still the answer) are not errors. */
export async function getJson<T>(path: string, accept: readonly number[] = []): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: "application/json" } });
  } catch {
    throw new ApiProblem(0, "network", `could not reach the server for ${path}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiProblem(res.status, "bad_response", `${path} answered ${res.status} without JSON`);
  }
  if (!res.ok && !accept.includes(res.status)) {
    const e = (body as Partial<ApiErrorBody>).error;
    throw new ApiProblem(res.status, e?.code ?? "error", e?.message ?? `${path} answered ${res.status}`);
  }
  return body as T;
}

export interface Holdout {
  from: string;
  to: string;
  n: number;
  rmse: number;
  persistence_rmse: number;
  climatology_rmse: number | null;
  kma_rmse: number | null;
  skill_vs_persistence: number;
}

export interface ModelSummary {
  version: string;
  trained_at: string | null;
  data_until: string;
  target: string;
  holdout: Holdout;
}

/** GET /v1/forecast?timezone=UTC: times are UTC wall clock without an offset. */
export interface Forecast {
  location: { id: string; name: string };
  issued_at: string;
  utc_offset_seconds: number;
  model: ModelSummary & { hourly_recipe: string; lead_groups: [number, number][] };
  inputs: { newest_observation_at: string; age_seconds: number; max_age_seconds: number; missing_features: string[] };
  hourly: {
    time: string[];
    lead_hours: number[];
    temperature_2m: number[];
    temperature_2m_p10: number[];
    temperature_2m_p90: number[];
    temperature_2m_p025: number[];
    temperature_2m_p975: number[];
    temperature_2m_persistence: number[];
    temperature_2m_diurnal_persistence: (number | null)[];
    temperature_2m_climatology: (number | null)[];
    temperature_2m_kma: (number | null)[];
  };
}

/** A local time of an answer (no offset) as epoch ms. */
export const instant = (local: string, utcOffsetSeconds: number) => Date.parse(`${local}:00Z`) - utcOffsetSeconds * 1000;

export interface Health {
  status: string;
  locations: { id: string; model_version: string | null; model_problem: string | null; newest_observation_at: string | null }[];
}

export interface Stats {
  n: number;
  rmse: number | null;
  mae: number | null;
  bias: number | null;
}

export interface VerificationHour {
  valid_at: string;
  issued_at: string;
  observed_c: number | null;
  model_c: number | null;
  persistence_c: number | null;
  kma_c: number | null;
  climatology_c: number | null;
  rolling_rmse: { model: number | null; persistence: number | null; kma: number | null };
  diurnal_persistence_c: number | null;
  p10_c: number | null;
  p90_c: number | null;
  p025_c: number | null;
  p975_c: number | null;
}

export interface LeadScores {
  lead_hours: number;
  n: number;
  model: number | null;
  persistence: number | null;
  diurnal_persistence: number | null;
  climatology: number | null;
  kma: number | null;
  interval80: { coverage: number | null; mean_width: number | null };
  interval95: { coverage: number | null; mean_width: number | null };
}

export interface Verification {
  location: { id: string; name: string };
  now: string;
  clock: { mode: "replay" | "real"; reason: string | null };
  description: string;
  model: ModelSummary;
  window: { issued_from: string; issued_to: string; days: number; rolling_hours: number; lead_hours: number };
  scores: {
    n: number;
    model: Stats;
    persistence: Stats;
    climatology: Stats;
    kma: (Stats & { model_rmse: number; persistence_rmse: number }) | null;
    skill_vs_persistence: number | null;
    coverage80: number | null;
    coverage95: number | null;
  } | null;
  hours: VerificationHour[];
  by_lead: { from: string; to: string; leads: LeadScores[] } | null;
  quality: { flagged_observations: number; by_field: Record<string, number> };
}

export interface ModelVersion {
  location: string;
  version: string;
  runId: string;
  registeredAt: string;
  featureSpec: { version: string };
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

export interface AliasPointer {
  location: string;
  alias: string;
  version: string;
  since: string;
}

export interface PromotionEvent {
  id: number;
  location: string;
  alias: string;
  from: string | null;
  to: string | null;
  action: string;
  actor: { kind: string; name: string };
  reason: string;
  at: string;
}

export interface Models {
  versions: ModelVersion[];
  aliases: AliasPointer[];
  history: PromotionEvent[];
  serving: { location: string; version: string | null; loadedAt: string | null }[];
}

export interface RunSummary {
  id: string;
  location: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  rmse: number | null;
  persistenceRmse: number | null;
  skill: number | null;
  errorClass: string | null;
}

export interface PipelineStep {
  seq: number;
  step: string;
  status: string;
  attempts: number;
  startedAt: string | null;
  durationMs: number | null;
  output: Record<string, unknown> | null;
  errorClass: string | null;
  errorMessage: string | null;
}

export interface PipelineRun {
  id: string;
  pipeline: string;
  locationId: string;
  runDate: string;
  trigger: string;
  status: string;
  startedAt: string;
  durationMs: number | null;
  errorStep: string | null;
  errorMessage: string | null;
  steps: PipelineStep[];
}

export interface IngestRun {
  id: number;
  job: string;
  locationId: string | null;
  status: string;
  startedAt: string;
  durationMs: number | null;
  rows: { inserted: number; updated: number; skipped: number };
  errorClass: string | null;
  errorMessage: string | null;
}

export interface Runs {
  training_runs: RunSummary[];
  pipeline_runs: PipelineRun[];
}

export interface Jobs {
  pipeline_runs: PipelineRun[];
  ingest_runs: IngestRun[];
}
