-- 0004: quality flags on observations (issue 9 item 9). The import flags physically implausible
-- values and isolated temperature spikes (src/jobs/import/quality.ts) without changing them: the raw
-- value stays in its column and `qc_flags` says which fields are suspect, as a JSON object
-- field -> flag, e.g. '{"temperature_c":"spike"}' ('implausible' | 'spike'); NULL = nothing flagged.
-- observations_best is recreated so that a flagged value is skipped for its field (the next source's
-- value is used, or the field is missing): training and verification never see it. primary_source
-- is unchanged (the row still reported the hour).
ALTER TABLE observations ADD COLUMN qc_flags TEXT CHECK (qc_flags IS NULL OR (json_valid(qc_flags) AND json_type(qc_flags) = 'object' AND qc_flags <> '{}'));

DROP VIEW observations_best;

-- As in 0001, plus: a field's value counts only when its source row has not flagged it.
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
  (SELECT r.source FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.temperature_c IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.temperature_c') IS NULL) ORDER BY r.precedence LIMIT 1) AS temperature_source,
  (SELECT r.temperature_c FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.temperature_c IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.temperature_c') IS NULL) ORDER BY r.precedence LIMIT 1) AS temperature_c,
  (SELECT r.humidity_pct FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.humidity_pct IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.humidity_pct') IS NULL) ORDER BY r.precedence LIMIT 1) AS humidity_pct,
  (SELECT r.wind_speed_ms FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_speed_ms IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.wind_speed_ms') IS NULL) ORDER BY r.precedence LIMIT 1) AS wind_speed_ms,
  (SELECT r.wind_dir_deg FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_dir_deg IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.wind_dir_deg') IS NULL) ORDER BY r.precedence LIMIT 1) AS wind_dir_deg,
  (SELECT r.wind_u_ms FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_u_ms IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.wind_u_ms') IS NULL) ORDER BY r.precedence LIMIT 1) AS wind_u_ms,
  (SELECT r.wind_v_ms FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.wind_v_ms IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.wind_v_ms') IS NULL) ORDER BY r.precedence LIMIT 1) AS wind_v_ms,
  (SELECT r.precipitation_mm FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.precipitation_mm IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.precipitation_mm') IS NULL) ORDER BY r.precedence LIMIT 1) AS precipitation_mm,
  (SELECT r.precipitation_type FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.precipitation_type IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.precipitation_type') IS NULL) ORDER BY r.precedence LIMIT 1) AS precipitation_type,
  (SELECT r.pressure_hpa FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.pressure_hpa IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.pressure_hpa') IS NULL) ORDER BY r.precedence LIMIT 1) AS pressure_hpa,
  (SELECT r.sea_level_pressure_hpa FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.sea_level_pressure_hpa IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.sea_level_pressure_hpa') IS NULL) ORDER BY r.precedence LIMIT 1) AS sea_level_pressure_hpa,
  (SELECT r.dew_point_c FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.dew_point_c IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.dew_point_c') IS NULL) ORDER BY r.precedence LIMIT 1) AS dew_point_c,
  (SELECT r.vapor_pressure_hpa FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.vapor_pressure_hpa IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.vapor_pressure_hpa') IS NULL) ORDER BY r.precedence LIMIT 1) AS vapor_pressure_hpa,
  (SELECT r.total_cloud_tenths FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.total_cloud_tenths IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.total_cloud_tenths') IS NULL) ORDER BY r.precedence LIMIT 1) AS total_cloud_tenths,
  (SELECT r.sunshine_hr FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.sunshine_hr IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.sunshine_hr') IS NULL) ORDER BY r.precedence LIMIT 1) AS sunshine_hr,
  (SELECT r.solar_radiation_mj_m2 FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.solar_radiation_mj_m2 IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.solar_radiation_mj_m2') IS NULL) ORDER BY r.precedence LIMIT 1) AS solar_radiation_mj_m2,
  (SELECT r.visibility_m FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.visibility_m IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.visibility_m') IS NULL) ORDER BY r.precedence LIMIT 1) AS visibility_m,
  (SELECT r.snow_depth_cm FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.snow_depth_cm IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.snow_depth_cm') IS NULL) ORDER BY r.precedence LIMIT 1) AS snow_depth_cm,
  (SELECT r.ground_temp_c FROM ranked AS r WHERE r.location_id = h.location_id AND r.observed_at = h.observed_at AND r.ground_temp_c IS NOT NULL AND (r.qc_flags IS NULL OR json_type(r.qc_flags, '$.ground_temp_c') IS NULL) ORDER BY r.precedence LIMIT 1) AS ground_temp_c
FROM hours AS h;
