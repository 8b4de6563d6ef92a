-- 0002: experiment tracking (training runs and their artifacts) and the model registry (versions,
-- the `production` / `candidate` aliases per location, and the promotion history).
-- Conventions as in 0001 (see migrations/README.md): STRICT tables, UTC ISO 8601 text times with
-- second precision checked with strftime, location ids as lowercase slugs. Records are history:
-- triggers refuse to change a finished run, an artifact, a registered version or a history row,
-- and they hold on every connection (foreign keys are not enforced everywhere, triggers are).

-- One row per training run. The id sorts in time order: the UTC start second as
-- YYYYMMDDTHHMMSSZ, a hyphen and 8 random hex digits ('20250529T183000Z-3f9a1c2b').
CREATE TABLE training_runs (
  id                   TEXT PRIMARY KEY CHECK (length(id) = 25 AND id GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'),
  location_id          TEXT NOT NULL CHECK (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*' AND location_id NOT GLOB '*--*' AND location_id NOT GLOB '*-'),
  status               TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at           TEXT NOT NULL CHECK (started_at IS strftime('%Y-%m-%dT%H:%M:%SZ', started_at)),
  ended_at             TEXT CHECK (ended_at IS strftime('%Y-%m-%dT%H:%M:%SZ', ended_at) AND ended_at >= started_at),
  -- the trainer's parameters (LightGBM parameters, recipe, split), a JSON object; never secrets
  params               TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params) AND json_type(params) = 'object'),
  -- holdout verification (model, persistence, climatology, KMA; skill; by month), a JSON object
  metrics              TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics) AND json_type(metrics) = 'object'),
  -- milliseconds per phase, e.g. {"load": 812, "features": 1203, "train": 30412, "verify": 95}
  phases               TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(phases) AND json_type(phases) = 'object'),
  -- code version: the package version, and the git commit when the caller knows it
  package_version      TEXT NOT NULL CHECK (length(package_version) BETWEEN 1 AND 64),
  git_commit           TEXT CHECK (git_commit IS NULL OR (length(git_commit) BETWEEN 7 AND 64 AND git_commit NOT GLOB '*[^0-9a-f]*')),
  -- dataset fingerprint: rows, the issue-time range [from, to) of the training rows, feature names,
  -- the feature catalogue version, and the SHA-256 of the training matrix and labels (all or none)
  dataset_rows         INTEGER CHECK (dataset_rows >= 0),
  dataset_from         TEXT CHECK (dataset_from IS strftime('%Y-%m-%dT%H:%M:%SZ', dataset_from)),
  dataset_to           TEXT CHECK (dataset_to IS strftime('%Y-%m-%dT%H:%M:%SZ', dataset_to) AND dataset_to >= dataset_from),
  dataset_features     TEXT CHECK (dataset_features IS NULL OR (json_valid(dataset_features) AND json_type(dataset_features) = 'array')),
  feature_spec_version TEXT CHECK (feature_spec_version IS NULL OR length(feature_spec_version) BETWEEN 1 AND 64),
  dataset_sha256       TEXT CHECK (dataset_sha256 IS NULL OR (length(dataset_sha256) = 64 AND dataset_sha256 NOT GLOB '*[^0-9a-f]*')),
  -- e.g. 'LightGBMError', 'DatasetError'; the message is redacted by the writer (no keys, no tokens)
  error_class          TEXT CHECK (error_class IS NULL OR length(error_class) BETWEEN 1 AND 200),
  error_message        TEXT CHECK (error_message IS NULL OR length(error_message) <= 4000),
  CHECK ((status = 'running') = (ended_at IS NULL)),
  CHECK ((status = 'failed') = (error_class IS NOT NULL)),
  CHECK (error_message IS NULL OR error_class IS NOT NULL),
  CHECK ((dataset_rows IS NULL) = (dataset_sha256 IS NULL)
     AND (dataset_rows IS NULL) = (dataset_from IS NULL)
     AND (dataset_rows IS NULL) = (dataset_to IS NULL)
     AND (dataset_rows IS NULL) = (dataset_features IS NULL)
     AND (dataset_rows IS NULL) = (feature_spec_version IS NULL))
) STRICT;

-- "newest runs of a location" (the id sorts by start time)
CREATE INDEX training_runs_by_location ON training_runs (location_id, id);

-- A finished run is a record: nothing about it changes any more, and no running run changes its
-- identity.
CREATE TRIGGER training_runs_immutable_when_finished
BEFORE UPDATE ON training_runs
WHEN OLD.status <> 'running' OR NEW.id IS NOT OLD.id OR NEW.location_id IS NOT OLD.location_id OR NEW.started_at IS NOT OLD.started_at
BEGIN
  SELECT RAISE(ABORT, 'training_runs: a finished run cannot change, nor the id, location or start of any run');
END;

CREATE TRIGGER training_runs_keep_registered
BEFORE DELETE ON training_runs
WHEN EXISTS (SELECT 1 FROM model_versions WHERE run_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'training_runs: a run with a registered model version cannot be deleted');
END;

-- The run's files in the object store (model text, feature spec, metrics), with the SHA-256 that
-- was read back after writing.
CREATE TABLE run_artifacts (
  run_id       TEXT NOT NULL REFERENCES training_runs (id),
  -- the file name, e.g. 'model.txt', 'features.json', 'metrics.json'
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 128 AND name GLOB '[A-Za-z0-9]*' AND name NOT GLOB '*[^A-Za-z0-9._-]*'),
  object_key   TEXT NOT NULL UNIQUE CHECK (length(object_key) BETWEEN 1 AND 1024),
  sha256       TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
  content_type TEXT CHECK (content_type IS NULL OR length(content_type) BETWEEN 1 AND 256),
  created_at   TEXT NOT NULL CHECK (created_at IS strftime('%Y-%m-%dT%H:%M:%SZ', created_at)),
  PRIMARY KEY (run_id, name)
) STRICT;

CREATE TRIGGER run_artifacts_only_while_running
BEFORE INSERT ON run_artifacts
WHEN NOT EXISTS (SELECT 1 FROM training_runs WHERE id = NEW.run_id AND status = 'running')
BEGIN
  SELECT RAISE(ABORT, 'run_artifacts: the run does not exist or has already ended');
END;

CREATE TRIGGER run_artifacts_immutable
BEFORE UPDATE ON run_artifacts
BEGIN
  SELECT RAISE(ABORT, 'run_artifacts: an artifact record cannot change');
END;

-- A registered model: one per succeeded run, named per location. The version is the run's UTC start
-- second ('20250529T183000Z', with '-2', '-3' ... when a location has two runs in the same second).
-- Artifact keys and checksums and the holdout metrics are copied from the run, so serving and the
-- promotion gate read one row.
CREATE TABLE model_versions (
  location_id          TEXT NOT NULL CHECK (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*' AND location_id NOT GLOB '*--*' AND location_id NOT GLOB '*-'),
  version              TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 64 AND version GLOB '[A-Za-z0-9]*' AND version NOT GLOB '*[^A-Za-z0-9._-]*'),
  run_id               TEXT NOT NULL UNIQUE REFERENCES training_runs (id),
  registered_at        TEXT NOT NULL CHECK (registered_at IS strftime('%Y-%m-%dT%H:%M:%SZ', registered_at)),
  model_key            TEXT NOT NULL CHECK (length(model_key) BETWEEN 1 AND 1024),
  model_sha256         TEXT NOT NULL CHECK (length(model_sha256) = 64 AND model_sha256 NOT GLOB '*[^0-9a-f]*'),
  feature_spec_key     TEXT NOT NULL CHECK (length(feature_spec_key) BETWEEN 1 AND 1024),
  feature_spec_sha256  TEXT NOT NULL CHECK (length(feature_spec_sha256) = 64 AND feature_spec_sha256 NOT GLOB '*[^0-9a-f]*'),
  feature_spec_version TEXT NOT NULL CHECK (length(feature_spec_version) BETWEEN 1 AND 64),
  metrics_key          TEXT CHECK (metrics_key IS NULL OR length(metrics_key) BETWEEN 1 AND 1024),
  metrics_sha256       TEXT CHECK (metrics_sha256 IS NULL OR (length(metrics_sha256) = 64 AND metrics_sha256 NOT GLOB '*[^0-9a-f]*')),
  -- the holdout window [from, to) of issue hours, its row count, and the scores on it (°C)
  holdout_from         TEXT NOT NULL CHECK (holdout_from IS strftime('%Y-%m-%dT%H:%M:%SZ', holdout_from)),
  holdout_to           TEXT NOT NULL CHECK (holdout_to IS strftime('%Y-%m-%dT%H:%M:%SZ', holdout_to) AND holdout_to > holdout_from),
  holdout_n            INTEGER NOT NULL CHECK (holdout_n > 0),
  rmse                 REAL NOT NULL CHECK (rmse >= 0),
  mae                  REAL NOT NULL CHECK (mae >= 0),
  persistence_rmse     REAL NOT NULL CHECK (persistence_rmse >= 0),
  climatology_rmse     REAL CHECK (climatology_rmse >= 0),
  kma_rmse             REAL CHECK (kma_rmse >= 0),
  -- 1 - rmse / persistence_rmse
  skill                REAL NOT NULL,
  CHECK ((metrics_key IS NULL) = (metrics_sha256 IS NULL)),
  PRIMARY KEY (location_id, version)
) STRICT;

CREATE TRIGGER model_versions_from_succeeded_run
BEFORE INSERT ON model_versions
WHEN NOT EXISTS (SELECT 1 FROM training_runs WHERE id = NEW.run_id AND status = 'succeeded' AND location_id = NEW.location_id)
BEGIN
  SELECT RAISE(ABORT, 'model_versions: the run does not exist, has not succeeded, or is for another location');
END;

CREATE TRIGGER model_versions_immutable
BEFORE UPDATE ON model_versions
BEGIN
  SELECT RAISE(ABORT, 'model_versions: a registered version cannot change');
END;

-- Promotion history: every move of an alias, in order (append-only). `from_version` is what the
-- alias pointed to before (NULL: it was not set), `to_version` what it points to after (NULL: the
-- alias was removed). Written in the same batch as the alias move itself.
--   production: 'promote' (a person), 'rollback' (a person; back to the version before, by history),
--               'gate_promote' (the automatic gate);
--   candidate:  'gate_candidate' (the gate kept the version out of production; the reason says why),
--               'clear' (the candidate went to production, so the alias was removed).
CREATE TABLE promotion_history (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  -- random, chosen by the writer, so that the alias move in the same batch can refer to this row
  nonce        TEXT NOT NULL UNIQUE CHECK (length(nonce) = 32 AND nonce NOT GLOB '*[^0-9a-f]*'),
  location_id  TEXT NOT NULL CHECK (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*' AND location_id NOT GLOB '*--*' AND location_id NOT GLOB '*-'),
  alias        TEXT NOT NULL CHECK (alias IN ('production', 'candidate')),
  from_version TEXT,
  to_version   TEXT,
  action       TEXT NOT NULL CHECK (action IN ('promote', 'rollback', 'gate_promote', 'gate_candidate', 'clear')),
  actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('gate', 'person')),
  -- the gate's name ('gate') or the person's
  actor        TEXT NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),
  reason       TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
  -- the gate's decision (checks, values, thresholds, policy) for gate actions, a JSON object
  decision     TEXT CHECK (decision IS NULL OR (json_valid(decision) AND json_type(decision) = 'object')),
  at           TEXT NOT NULL CHECK (at IS strftime('%Y-%m-%dT%H:%M:%SZ', at)),
  CHECK (CASE alias WHEN 'production' THEN action IN ('promote', 'rollback', 'gate_promote') ELSE action IN ('gate_candidate', 'clear') END),
  CHECK ((action = 'clear') = (to_version IS NULL)),
  CHECK (action <> 'rollback' OR from_version IS NOT NULL),
  CHECK ((action IN ('gate_promote', 'gate_candidate')) = (decision IS NOT NULL)),
  CHECK (action NOT IN ('gate_promote', 'gate_candidate') OR actor_kind = 'gate'),
  CHECK (action NOT IN ('promote', 'rollback') OR actor_kind = 'person')
) STRICT;

CREATE INDEX promotion_history_by_alias ON promotion_history (location_id, alias, id);

CREATE TRIGGER promotion_history_known_version
BEFORE INSERT ON promotion_history
WHEN NEW.to_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM model_versions WHERE location_id = NEW.location_id AND version = NEW.to_version)
BEGIN
  SELECT RAISE(ABORT, 'promotion_history: to_version is not a registered version of this location');
END;

CREATE TRIGGER promotion_history_append_only_update
BEFORE UPDATE ON promotion_history
BEGIN
  SELECT RAISE(ABORT, 'promotion_history is append-only');
END;

CREATE TRIGGER promotion_history_append_only_delete
BEFORE DELETE ON promotion_history
BEGIN
  SELECT RAISE(ABORT, 'promotion_history is append-only');
END;

-- Where each alias points now: one row per (location, alias), moved by one upsert in the same batch
-- as its promotion_history row (event_id). getProduction reads one row by primary key.
CREATE TABLE model_aliases (
  location_id TEXT NOT NULL CHECK (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*' AND location_id NOT GLOB '*--*' AND location_id NOT GLOB '*-'),
  alias       TEXT NOT NULL CHECK (alias IN ('production', 'candidate')),
  version     TEXT NOT NULL,
  -- the promotion_history row that set it
  event_id    INTEGER NOT NULL UNIQUE REFERENCES promotion_history (id),
  updated_at  TEXT NOT NULL CHECK (updated_at IS strftime('%Y-%m-%dT%H:%M:%SZ', updated_at)),
  PRIMARY KEY (location_id, alias)
) STRICT;

CREATE TRIGGER model_aliases_known_version_on_insert
BEFORE INSERT ON model_aliases
WHEN NOT EXISTS (SELECT 1 FROM model_versions WHERE location_id = NEW.location_id AND version = NEW.version)
BEGIN
  SELECT RAISE(ABORT, 'model_aliases: the version is not a registered version of this location');
END;

CREATE TRIGGER model_aliases_known_version_on_update
BEFORE UPDATE ON model_aliases
WHEN NOT EXISTS (SELECT 1 FROM model_versions WHERE location_id = NEW.location_id AND version = NEW.version)
BEGIN
  SELECT RAISE(ABORT, 'model_aliases: the version is not a registered version of this location');
END;

CREATE TRIGGER model_versions_keep_aliased
BEFORE DELETE ON model_versions
WHEN EXISTS (SELECT 1 FROM model_aliases WHERE location_id = OLD.location_id AND version = OLD.version)
BEGIN
  SELECT RAISE(ABORT, 'model_versions: a version an alias points to cannot be deleted');
END;
