-- 0003: orchestration (Airflow's role): pipeline runs, their steps, and leases.
--   * pipeline_runs: one row per run of a pipeline for a location and a logical date (the day it is
--     "for"; re-running a date makes a new run with the same run_date);
--   * pipeline_steps: one row per step of a run, in order, with status, attempts, timing and a small
--     JSON summary of its output or its error;
--   * leases: a named lock with an expiry ('pipeline:daily_train:seoul'), so that two runs for the
--     same location never overlap, even across processes, isolates or Workflows instances; an expired
--     lease can be taken over (its holder died).

CREATE TABLE pipeline_runs (
  id            TEXT PRIMARY KEY CHECK (length(id) BETWEEN 8 AND 64 AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
  pipeline      TEXT NOT NULL CHECK (length(pipeline) BETWEEN 1 AND 64 AND pipeline NOT GLOB '*[^a-z0-9_]*'),
  location_id   TEXT NOT NULL CHECK (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*'),
  run_date      TEXT NOT NULL CHECK (run_date IS strftime('%Y-%m-%d', run_date)),
  trigger       TEXT NOT NULL CHECK (trigger IN ('cron', 'cli', 'admin', 'startup', 'test')),
  -- where the steps ran: in-process (Node/Deno/Worker) or as a Cloudflare Workflows instance
  runner        TEXT NOT NULL CHECK (runner IN ('in_process', 'workflow')),
  status        TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at    TEXT NOT NULL CHECK (started_at IS strftime('%Y-%m-%dT%H:%M:%SZ', started_at)),
  finished_at   TEXT CHECK (finished_at IS strftime('%Y-%m-%dT%H:%M:%SZ', finished_at) AND finished_at >= started_at),
  duration_ms   INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
  error_step    TEXT,
  error_class   TEXT CHECK (error_class IS NULL OR length(error_class) BETWEEN 1 AND 200),
  error_message TEXT CHECK (error_message IS NULL OR length(error_message) <= 4000),
  CHECK ((status = 'running') = (finished_at IS NULL)),
  CHECK ((status = 'failed') = (error_class IS NOT NULL))
) STRICT;

CREATE INDEX pipeline_runs_by_location ON pipeline_runs (location_id, started_at);

CREATE TABLE pipeline_steps (
  run_id        TEXT NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  seq           INTEGER NOT NULL CHECK (seq >= 0),
  step          TEXT NOT NULL CHECK (length(step) BETWEEN 1 AND 64 AND step NOT GLOB '*[^a-z0-9_]*'),
  status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped')),
  attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  started_at    TEXT CHECK (started_at IS NULL OR started_at IS strftime('%Y-%m-%dT%H:%M:%SZ', started_at)),
  finished_at   TEXT CHECK (finished_at IS NULL OR finished_at IS strftime('%Y-%m-%dT%H:%M:%SZ', finished_at)),
  duration_ms   INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
  -- a small JSON object: what the step produced (counts, ids, metrics) or null
  output        TEXT CHECK (output IS NULL OR (json_valid(output) AND json_type(output) = 'object')),
  error_class   TEXT CHECK (error_class IS NULL OR length(error_class) BETWEEN 1 AND 200),
  error_message TEXT CHECK (error_message IS NULL OR length(error_message) <= 4000),
  PRIMARY KEY (run_id, seq),
  UNIQUE (run_id, step),
  CHECK ((status = 'failed') = (error_class IS NOT NULL))
) STRICT;

CREATE TABLE leases (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200),
  holder      TEXT NOT NULL CHECK (length(holder) BETWEEN 1 AND 200),
  acquired_at TEXT NOT NULL CHECK (acquired_at IS strftime('%Y-%m-%dT%H:%M:%SZ', acquired_at)),
  expires_at  TEXT NOT NULL CHECK (expires_at IS strftime('%Y-%m-%dT%H:%M:%SZ', expires_at) AND expires_at > acquired_at)
) STRICT;
