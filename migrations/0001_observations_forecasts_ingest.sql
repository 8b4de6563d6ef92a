-- 0001: schema for KMA ingest: observation sources and their precedence, hourly observations,
-- KMA forecasts (one row per value), ingest runs, and the `observations_best` view.
-- Conventions (see migrations/README.md):
--   * every time is UTC ISO 8601 text with second precision and a 'Z': '2025-05-29T14:00:00Z'
--     (checked with strftime, which also rejects impossible dates such as Feb 30);
--   * hourly keys (observed_at, valid_at) must be on the hour;
--   * every table is STRICT, so a value of the wrong type is an error, not a silent conversion;
--   * measurements are nullable (NULL = not reported); KMA's missing sentinels (>= 900 / <= -900)
--     must be turned into NULL before they get here, and the range checks reject them if not.

CREATE TABLE observation_sources (
  source      TEXT PRIMARY KEY CHECK (length(source) BETWEEN 1 AND 32 AND source GLOB '[a-z]*' AND source NOT GLOB '*[^a-z0-9_]*'),
  -- 1 wins over 2 wins over 3 ...
  precedence  INTEGER NOT NULL UNIQUE CHECK (precedence > 0),
  description TEXT NOT NULL CHECK (length(description) > 0)
) STRICT;

INSERT INTO observation_sources (source, precedence, description) VALUES
  ('asos', 1, 'KMA ASOS hourly station observations (AsosHourlyInfoService getWthrDataList): quality-controlled, served up to yesterday'),
  ('ultra_srt_ncst', 2, 'KMA ultra-short-term nowcast (VilageFcstInfoService_2.0 getUltraSrtNcst): 5 km grid analysis, available about 10 minutes after the hour'),
  ('import', 3, 'Bulk import of historical hourly data from a file (for example the UCI Seoul Bike Sharing weather columns)');

CREATE TABLE ingest_runs (
  id            INTEGER PRIMARY KEY,
  -- what ran, e.g. 'asos_hourly', 'ultra_srt_ncst', 'vilage_fcst', 'import_csv'
  job           TEXT NOT NULL CHECK (length(job) BETWEEN 1 AND 64 AND job GLOB '[a-z]*' AND job NOT GLOB '*[^a-z0-9_]*'),
  location_id   TEXT CHECK (location_id IS NULL OR (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*' AND location_id NOT GLOB '*--*' AND location_id NOT GLOB '*-')),
  -- the request that was made (base_date/base_time, nx/ny, station, range ...) as a JSON object; never secrets
  params        TEXT CHECK (params IS NULL OR (json_valid(params) AND json_type(params) = 'object')),
  started_at    TEXT NOT NULL CHECK (started_at IS strftime('%Y-%m-%dT%H:%M:%SZ', started_at)),
  finished_at   TEXT CHECK (finished_at IS strftime('%Y-%m-%dT%H:%M:%SZ', finished_at) AND finished_at >= started_at),
  status        TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  rows_inserted INTEGER NOT NULL DEFAULT 0 CHECK (rows_inserted >= 0),
  rows_updated  INTEGER NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),
  rows_skipped  INTEGER NOT NULL DEFAULT 0 CHECK (rows_skipped >= 0),
  -- e.g. 'KmaError:quota', 'ItemError'; the message is redacted by the writer (no service keys, no tokens)
  error_class   TEXT CHECK (error_class IS NULL OR length(error_class) BETWEEN 1 AND 200),
  error_message TEXT CHECK (error_message IS NULL OR length(error_message) <= 4000),
  -- a run is finished exactly when it is not running; it failed exactly when it has an error class
  CHECK ((status = 'running') = (finished_at IS NULL)),
  CHECK ((status = 'failed') = (error_class IS NOT NULL)),
  CHECK (error_message IS NULL OR error_class IS NOT NULL)
) STRICT;

CREATE INDEX ingest_runs_by_job_started ON ingest_runs (job, started_at);
CREATE INDEX ingest_runs_running ON ingest_runs (started_at) WHERE status = 'running';

CREATE TABLE observations (
  location_id            TEXT NOT NULL CHECK (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*' AND location_id NOT GLOB '*--*' AND location_id NOT GLOB '*-'),
  observed_at            TEXT NOT NULL CHECK (observed_at IS strftime('%Y-%m-%dT%H:00:00Z', observed_at)),
  source                 TEXT NOT NULL REFERENCES observation_sources (source),
  temperature_c          REAL CHECK (temperature_c BETWEEN -80 AND 60),
  humidity_pct           REAL CHECK (humidity_pct BETWEEN 0 AND 100),
  wind_speed_ms          REAL CHECK (wind_speed_ms BETWEEN 0 AND 120),
  wind_dir_deg           REAL CHECK (wind_dir_deg BETWEEN 0 AND 360),
  -- u: towards the east, v: towards the north (KMA UUU / VVV convention)
  wind_u_ms              REAL CHECK (wind_u_ms BETWEEN -120 AND 120),
  wind_v_ms              REAL CHECK (wind_v_ms BETWEEN -120 AND 120),
  -- precipitation in the hour ending at observed_at
  precipitation_mm       REAL CHECK (precipitation_mm BETWEEN 0 AND 500),
  -- KMA PTY: 0 none, 1 rain, 2 rain/snow, 3 snow, 4 shower, 5 drizzle, 6 drizzle/snow flurries, 7 snow flurries
  precipitation_type     INTEGER CHECK (precipitation_type BETWEEN 0 AND 7),
  -- station (local) pressure and pressure reduced to sea level
  pressure_hpa           REAL CHECK (pressure_hpa BETWEEN 500 AND 1100),
  sea_level_pressure_hpa REAL CHECK (sea_level_pressure_hpa BETWEEN 850 AND 1100),
  dew_point_c            REAL CHECK (dew_point_c BETWEEN -90 AND 50),
  vapor_pressure_hpa     REAL CHECK (vapor_pressure_hpa BETWEEN 0 AND 100),
  total_cloud_tenths     REAL CHECK (total_cloud_tenths BETWEEN 0 AND 10),
  sunshine_hr            REAL CHECK (sunshine_hr BETWEEN 0 AND 1),
  solar_radiation_mj_m2  REAL CHECK (solar_radiation_mj_m2 BETWEEN 0 AND 10),
  visibility_m           REAL CHECK (visibility_m BETWEEN 0 AND 100000),
  snow_depth_cm          REAL CHECK (snow_depth_cm BETWEEN 0 AND 1000),
  ground_temp_c          REAL CHECK (ground_temp_c BETWEEN -80 AND 90),
  -- provenance: the run that last wrote the values and the raw payload they came from (object key)
  ingest_run_id          INTEGER REFERENCES ingest_runs (id) ON DELETE SET NULL,
  raw_ref                TEXT CHECK (raw_ref IS NULL OR length(raw_ref) BETWEEN 1 AND 1024),
  ingested_at            TEXT NOT NULL CHECK (ingested_at IS strftime('%Y-%m-%dT%H:%M:%SZ', ingested_at)),
  updated_at             TEXT NOT NULL CHECK (updated_at IS strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) AND updated_at >= ingested_at),
  PRIMARY KEY (location_id, observed_at, source)
) STRICT;

CREATE INDEX observations_by_run ON observations (ingest_run_id) WHERE ingest_run_id IS NOT NULL;

-- Foreign keys are only enforced on connections that turn them on, so the source check is also a
-- trigger: it holds on every connection (file, Turso, the dev server).
CREATE TRIGGER observations_known_source_on_insert
BEFORE INSERT ON observations
WHEN NOT EXISTS (SELECT 1 FROM observation_sources WHERE source = NEW.source)
BEGIN
  SELECT RAISE(ABORT, 'observations.source is not in observation_sources');
END;

CREATE TRIGGER observations_known_source_on_update
BEFORE UPDATE OF source ON observations
WHEN NOT EXISTS (SELECT 1 FROM observation_sources WHERE source = NEW.source)
BEGIN
  SELECT RAISE(ABORT, 'observations.source is not in observation_sources');
END;

-- One row per KMA forecast value, exactly as delivered: (location, product, issue time, valid hour,
-- category). KMA sends one item per category and hour; new categories need no migration.
CREATE TABLE forecasts (
  location_id   TEXT NOT NULL CHECK (length(location_id) <= 64 AND location_id GLOB '[a-z]*' AND location_id NOT GLOB '*[^a-z0-9-]*' AND location_id NOT GLOB '*--*' AND location_id NOT GLOB '*-'),
  -- 'vilage_fcst' (getVilageFcst, short-term, 02:00/05:00/... KST) or 'ultra_srt_fcst' (getUltraSrtFcst, HH:30 KST)
  product       TEXT NOT NULL CHECK (product IN ('vilage_fcst', 'ultra_srt_fcst')),
  -- base_date + base_time converted from KST
  issued_at     TEXT NOT NULL CHECK (issued_at IS strftime('%Y-%m-%dT%H:%M:%SZ', issued_at)),
  -- fcstDate + fcstTime converted from KST
  valid_at      TEXT NOT NULL CHECK (valid_at IS strftime('%Y-%m-%dT%H:00:00Z', valid_at) AND valid_at >= issued_at),
  -- KMA category code: TMP, T1H, TMN, TMX, REH, WSD, VEC, UUU, VVV, SKY, PTY, POP, PCP, RN1, SNO, WAV, LGT ...
  category      TEXT NOT NULL CHECK (length(category) BETWEEN 1 AND 8 AND category NOT GLOB '*[^A-Z0-9]*'),
  -- the number the value string means (NULL when missing, qualitative or not understood) ...
  value         REAL,
  -- ... and the string exactly as KMA sent it ('16', '강수없음', '1mm 미만', '-999')
  value_text    TEXT NOT NULL CHECK (length(value_text) <= 64),
  ingest_run_id INTEGER REFERENCES ingest_runs (id) ON DELETE SET NULL,
  raw_ref       TEXT CHECK (raw_ref IS NULL OR length(raw_ref) BETWEEN 1 AND 1024),
  ingested_at   TEXT NOT NULL CHECK (ingested_at IS strftime('%Y-%m-%dT%H:%M:%SZ', ingested_at)),
  updated_at    TEXT NOT NULL CHECK (updated_at IS strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) AND updated_at >= ingested_at),
  PRIMARY KEY (location_id, product, issued_at, valid_at, category)
) STRICT;

-- "every forecast for these hours" (feature building) reads by valid time.
CREATE INDEX forecasts_by_valid ON forecasts (location_id, valid_at, category);

-- The best value per (location, hour) and field: for each field, the non-NULL value from the source
-- with the smallest precedence number. primary_source is the best source that reported that hour at
-- all; temperature_source says where temperature_c came from (it is the training target).
CREATE VIEW observations_best AS
WITH ranked AS (
  SELECT o.*, s.precedence
  FROM observations AS o
  JOIN observation_sources AS s ON s.source = o.source
),
hours AS (
  SELECT location_id, observed_at, min(precedence) AS best_precedence
  FROM ranked
  GROUP BY location_id, observed_at
)
SELECT
  h.location_id,
  h.observed_at,
  (SELECT r.source FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.precedence = h.best_precedence) AS primary_source,
  (SELECT r.source FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.temperature_c IS NOT NULL ORDER BY r.precedence LIMIT 1) AS temperature_source,
  (SELECT r.temperature_c FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.temperature_c IS NOT NULL ORDER BY r.precedence LIMIT 1) AS temperature_c,
  (SELECT r.humidity_pct FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.humidity_pct IS NOT NULL ORDER BY r.precedence LIMIT 1) AS humidity_pct,
  (SELECT r.wind_speed_ms FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_speed_ms IS NOT NULL ORDER BY r.precedence LIMIT 1) AS wind_speed_ms,
  (SELECT r.wind_dir_deg FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_dir_deg IS NOT NULL ORDER BY r.precedence LIMIT 1) AS wind_dir_deg,
  (SELECT r.wind_u_ms FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_u_ms IS NOT NULL ORDER BY r.precedence LIMIT 1) AS wind_u_ms,
  (SELECT r.wind_v_ms FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_v_ms IS NOT NULL ORDER BY r.precedence LIMIT 1) AS wind_v_ms,
  (SELECT r.precipitation_mm FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.precipitation_mm IS NOT NULL ORDER BY r.precedence LIMIT 1) AS precipitation_mm,
  (SELECT r.precipitation_type FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.precipitation_type IS NOT NULL ORDER BY r.precedence LIMIT 1) AS precipitation_type,
  (SELECT r.pressure_hpa FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.pressure_hpa IS NOT NULL ORDER BY r.precedence LIMIT 1) AS pressure_hpa,
  (SELECT r.sea_level_pressure_hpa FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.sea_level_pressure_hpa IS NOT NULL ORDER BY r.precedence LIMIT 1) AS sea_level_pressure_hpa,
  (SELECT r.dew_point_c FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.dew_point_c IS NOT NULL ORDER BY r.precedence LIMIT 1) AS dew_point_c,
  (SELECT r.vapor_pressure_hpa FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.vapor_pressure_hpa IS NOT NULL ORDER BY r.precedence LIMIT 1) AS vapor_pressure_hpa,
  (SELECT r.total_cloud_tenths FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.total_cloud_tenths IS NOT NULL ORDER BY r.precedence LIMIT 1) AS total_cloud_tenths,
  (SELECT r.sunshine_hr FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.sunshine_hr IS NOT NULL ORDER BY r.precedence LIMIT 1) AS sunshine_hr,
  (SELECT r.solar_radiation_mj_m2 FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.solar_radiation_mj_m2 IS NOT NULL ORDER BY r.precedence LIMIT 1) AS solar_radiation_mj_m2,
  (SELECT r.visibility_m FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.visibility_m IS NOT NULL ORDER BY r.precedence LIMIT 1) AS visibility_m,
  (SELECT r.snow_depth_cm FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.snow_depth_cm IS NOT NULL ORDER BY r.precedence LIMIT 1) AS snow_depth_cm,
  (SELECT r.ground_temp_c FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.ground_temp_c IS NOT NULL ORDER BY r.precedence LIMIT 1) AS ground_temp_c
FROM hours AS h;
