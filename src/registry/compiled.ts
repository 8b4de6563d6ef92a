// The compiled model of a version (src/model/predictor/binary-model.ts), written at registration
// beside model.txt: model.txt (entry "model.txt") and every lead-group model of the hourly set in
// features.json (entries "hourly/0", "hourly/1", ... in group order), each entry recording the
// SHA-256 of the LightGBM text it was compiled from. The texts stay the source of truth; serving uses
// this file only when its SHA-256 matches the version's row (model_versions.compiled_sha256).
import { ArtifactError, hourlyFromFeaturesJson } from "../model/artifact.ts";
import { encodeModelBinary, ModelBinaryError, type ModelBinaryEntry, ModelTextError, parseModel, sha256Hex } from "../model/predictor/index.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { ArtifactIntegrityError } from "../tracking/errors.ts";
import type { RunArtifact } from "../tracking/runs.ts";

/** The file name beside model.txt. */
export const COMPILED_MODEL_FILE = "model.bin";
export const COMPILED_CONTENT_TYPE = "application/vnd.nalssi.compiled-model";

/** The entry name of hourly lead group k. */
export const hourlyEntryName = (k: number) => `hourly/${k}`;

/** Compiles model.txt and the hourly group models of features.json (when it has them) into one container. */
export async function compileModels(modelText: string, featuresText: string): Promise<Uint8Array> {
  const entries: ModelBinaryEntry[] = [{ name: "model.txt", sourceSha256: await sha256Hex(modelText), model: parseModel(modelText) }];
  let hasHourly = false;
  try {
    const j = JSON.parse(featuresText) as unknown;
    hasHourly = typeof j === "object" && j !== null && "hourly" in j;
  } catch {
    // not JSON: no hourly set to compile (serving refuses such a features.json anyway)
  }
  if (hasHourly) {
    const hourly = hourlyFromFeaturesJson(featuresText);
    for (const [k, g] of hourly.groups.entries())
      entries.push({ name: hourlyEntryName(k), sourceSha256: await sha256Hex(g.lightgbmModel), model: parseModel(g.lightgbmModel) });
  }
  return encodeModelBinary(entries);
}

async function readChecked(objects: Pick<ObjectStore, "get">, a: Pick<RunArtifact, "key" | "sha256">): Promise<string> {
  const obj = await objects.get(a.key);
  if (obj === null) throw new ArtifactIntegrityError(`${a.key} is missing from the object store`);
  const sha = await sha256Hex(obj.body);
  if (sha !== a.sha256) throw new ArtifactIntegrityError(`${a.key} has SHA-256 ${sha}, recorded ${a.sha256}`);
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(obj.body);
}

/**
 * Reads and checks model.txt and features.json, compiles them and writes the container beside
 * model.txt (read back and checked, like the tracker's artifacts). Returns its key and SHA-256, or
 * `{ skipped }` when the texts do not compile (serving then parses the text and refuses it there).
 * Deterministic, so a retried registration writes the same bytes.
 */
export async function writeCompiledModel(
  objects: Pick<ObjectStore, "get" | "put">,
  model: Pick<RunArtifact, "key" | "sha256">,
  features: Pick<RunArtifact, "key" | "sha256">,
): Promise<{ key: string; sha256: string } | { skipped: string }> {
  const [modelText, featuresText] = await Promise.all([readChecked(objects, model), readChecked(objects, features)]);
  let bytes: Uint8Array;
  try {
    bytes = await compileModels(modelText, featuresText);
  } catch (e) {
    if (e instanceof ModelTextError || e instanceof ArtifactError || e instanceof ModelBinaryError) return { skipped: e.message };
    throw e;
  }
  const key = model.key.replace(/[^/]+$/, COMPILED_MODEL_FILE);
  const sha256 = await sha256Hex(bytes);
  await objects.put(key, bytes, { contentType: COMPILED_CONTENT_TYPE, metadata: { sha256 } });
  const back = await objects.get(key);
  if (back === null || (await sha256Hex(back.body)) !== sha256) throw new ArtifactIntegrityError(`the compiled model ${key} did not read back as written`);
  return { key, sha256 };
}
