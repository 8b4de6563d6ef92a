-- 0005: the compiled model form (src/model/predictor/binary-model.ts: the predictor's typed arrays,
-- loaded without parsing text) that registration writes beside model.txt, covering model.txt and
-- every lead-group model of the hourly set in features.json. model.txt and features.json stay the
-- source of truth: serving reads the compiled file only when its SHA-256 matches this row, and
-- parses the text otherwise. NULL for versions registered before this migration or without an
-- object store (both columns set or neither, checked by the writer: ADD COLUMN cannot add a table CHECK).
ALTER TABLE model_versions ADD COLUMN compiled_key TEXT CHECK (compiled_key IS NULL OR length(compiled_key) BETWEEN 1 AND 1024);
ALTER TABLE model_versions ADD COLUMN compiled_sha256 TEXT CHECK (compiled_sha256 IS NULL OR (length(compiled_sha256) = 64 AND compiled_sha256 NOT GLOB '*[^0-9a-f]*'));
