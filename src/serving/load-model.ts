// Loading the production model of a location from the registry's pointer: both artifacts are read
// from the object store and their SHA-256 checked against the registry BEFORE anything is parsed;
// then features.json and the LightGBM text are parsed and checked to fit this code. A model is
// accepted whole or refused with a ModelRefusedError (nothing half-loaded). No WebAssembly: the
// model is evaluated by the TypeScript predictor (src/model/predictor).
import { ArtifactError } from "../model/artifact.ts";
import { hourlyFromFeaturesJson } from "../model/artifact.ts";
import { type LoadedHourlyModel, loadHourlyModel } from "../model/hourly-load.ts";
import { decodeModelBinary, type Model, ModelBinaryError, ModelTextError, parseModel, verifySha256, ChecksumMismatchError } from "../model/predictor/index.ts";
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import { ObjectStoreError, type ObjectStore } from "../ports/object-store.ts";
import type { ProductionModel } from "../registry/aliases.ts";
import { getVersion, type ModelVersion } from "../registry/versions.ts";
import { getRun } from "../tracking/runs.ts";
import { incompatibility, isArtifactProblem, parseServingArtifact, type ServingArtifact } from "./artifact.ts";
import { ModelRefusedError } from "./errors.ts";
import { type HoldoutLeads, holdoutLeadsOf } from "./holdout-leads.ts";

export interface ModelLoaderDeps {
  db: Pick<Database, "execute" | "batch">;
  objects: Pick<ObjectStore, "get">;
  clock: Clock;
}

/** A production model ready to serve. Immutable once loaded. */
export interface LoadedModel {
  location: string;
  version: string;
  /** The registry pointer it was loaded from (keys, checksums, since). */
  production: ProductionModel;
  artifact: ServingArtifact;
  /** The LightGBM trees, evaluated in TypeScript. */
  model: Model;
  featureNames: readonly string[];
  /**
   * The 1..48 h model set (features.json's `hourly`, TS predictor), or null for a version trained
   * before it. GET /v1/forecast and POST /v1/predict serve it.
   */
  hourly: LoadedHourlyModel | null;
  /** The registered version: holdout scores. */
  registered: ModelVersion;
  /** Its per-lead holdout scores (metrics.json), or null. */
  holdoutLeads: HoldoutLeads | null;
  /** When its training run ended (UTC), or null if the run is not found. */
  trainedAt: string | null;
  /** When this process loaded it (UTC ISO), and how long loading took. */
  loadedAt: string;
  loadMs: number;
  /**
   * Whether the trees came from the compiled model (no text parsed), and why not when it was there
   * but unusable (missing, checksum, damaged: model.txt was parsed instead).
   */
  compiled: { used: boolean; problem: string | null };
  /** The hourly set's lead-group models from the compiled model, in group order (null: none compiled; parse features.json's texts). */
  hourlyModels: Model[] | null;
}

/** The compiled models of a version: model.txt's and the hourly groups'. Throws on any doubt (the caller falls back to the text). */
async function readCompiled(deps: ModelLoaderDeps, p: ProductionModel, key: string, sha256: string): Promise<{ model: Model; hourly: Model[] }> {
  const obj = await deps.objects.get(key);
  if (obj === null) throw new Error(`${key} is not in the object store`);
  await verifySha256(obj.body, sha256, `compiled model (${key})`);
  const entries = decodeModelBinary(obj.body);
  const main = entries[0];
  if (main?.name !== "model.txt" || main.sourceSha256 !== p.modelSha256) {
    throw new ModelBinaryError("corrupt", `${key} was not compiled from this version's model.txt (${p.modelSha256.slice(0, 12)})`);
  }
  const hourly = entries.slice(1).map((e, k) => {
    if (e.name !== `hourly/${k}`) throw new ModelBinaryError("corrupt", `${key}: entry ${k + 1} is ${e.name}, expected hourly/${k}`);
    return e.model;
  });
  return { model: main.model, hourly };
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

async function readVerified(deps: ModelLoaderDeps, p: ProductionModel, what: string, key: string, sha256: string): Promise<string> {
  let obj;
  try {
    obj = await deps.objects.get(key);
  } catch (e) {
    // The store's own integrity check failed: the bytes are not what was written.
    if (e instanceof ObjectStoreError && e.code === "integrity")
      throw new ModelRefusedError(p.location, p.version, "checksum", `${what} (${key}): ${e.detail}`);
    throw e;
  }
  if (obj === null) throw new ModelRefusedError(p.location, p.version, "missing", `${what} (${key}) is not in the object store`);
  try {
    await verifySha256(obj.body, sha256, `${what} (${key})`);
  } catch (e) {
    if (e instanceof ChecksumMismatchError || e instanceof TypeError) throw new ModelRefusedError(p.location, p.version, "checksum", e.message);
    throw e;
  }
  try {
    return utf8.decode(obj.body);
  } catch {
    throw new ModelRefusedError(p.location, p.version, "corrupt", `${what} (${key}) is not UTF-8 text`);
  }
}

/** Loads and checks the model the pointer names. ModelRefusedError when it cannot be served. */
export async function loadProductionModel(deps: ModelLoaderDeps, p: ProductionModel): Promise<LoadedModel> {
  const t0 = performance.now();
  // The compiled model when the version has one: read with features.json, no text parsed. Any doubt
  // about it (missing, checksum, damaged, from another model.txt, a store error) falls back to
  // model.txt, the source of truth, checked and parsed as before: a damaged compiled file never
  // takes a good version out of service, and never serves anything model.txt would not.
  const compiledRead =
    p.compiledKey !== null && p.compiledSha256 !== null
      ? readCompiled(deps, p, p.compiledKey, p.compiledSha256).catch((e: unknown) => (e instanceof Error ? e.message : String(e)))
      : Promise.resolve(null);
  const [compiled, featuresText] = await Promise.all([compiledRead, readVerified(deps, p, "features.json", p.featureSpecKey, p.featureSpecSha256)]);
  const artifact = parseServingArtifact(featuresText);
  if (isArtifactProblem(artifact)) throw new ModelRefusedError(p.location, p.version, artifact.reason, artifact.message);
  let model: Model;
  if (compiled !== null && typeof compiled === "object") {
    model = compiled.model;
  } else {
    const modelText = await readVerified(deps, p, "model.txt", p.modelKey, p.modelSha256);
    try {
      model = parseModel(modelText);
    } catch (e) {
      if (e instanceof ModelTextError) throw new ModelRefusedError(p.location, p.version, "corrupt", e.message);
      throw e;
    }
  }
  const problem = incompatibility(artifact, model, p.featureSpecVersion);
  if (problem !== null) throw new ModelRefusedError(p.location, p.version, "incompatible", problem);
  let hourly: LoadedHourlyModel | null = null;
  if (hasHourlySet(featuresText)) {
    try {
      const compiledHourly = typeof compiled === "object" && compiled !== null && compiled.hourly.length > 0 ? compiled.hourly : undefined;
      hourly = loadHourlyModel(hourlyFromFeaturesJson(featuresText), compiledHourly);
    } catch (e) {
      if (e instanceof ArtifactError || e instanceof ModelTextError)
        throw new ModelRefusedError(p.location, p.version, e instanceof ArtifactError ? e.reason : "corrupt", `its 1..48 h model set: ${e.message}`);
      throw e;
    }
  }
  const registered = await getVersion(deps.db, p.location, p.version);
  if (registered === null) throw new ModelRefusedError(p.location, p.version, "missing", "the version is not in model_versions");
  // The per-lead holdout scores are information, not part of the model: unreadable means none.
  let holdoutLeads: HoldoutLeads | null = null;
  if (hourly && registered.metricsArtifact) {
    try {
      holdoutLeads = holdoutLeadsOf(await readVerified(deps, p, "metrics.json", registered.metricsArtifact.key, registered.metricsArtifact.sha256));
    } catch (e) {
      if (!(e instanceof ModelRefusedError)) throw e;
    }
  }
  const run = await getRun(deps.db, p.runId);
  return {
    location: p.location,
    version: p.version,
    production: p,
    artifact,
    model,
    featureNames: model.featureNames,
    hourly,
    registered,
    holdoutLeads,
    trainedAt: run?.endedAt ?? null,
    loadedAt: deps.clock.now().toISOString(),
    loadMs: performance.now() - t0,
    compiled: { used: typeof compiled === "object" && compiled !== null, problem: typeof compiled === "string" ? compiled : null },
    hourlyModels: typeof compiled === "object" && compiled !== null && compiled.hourly.length > 0 ? compiled.hourly : null,
  };
}

/** Whether features.json carries the 1..48 h set (a cheap look before the full parse). */
function hasHourlySet(featuresText: string): boolean {
  const json = JSON.parse(featuresText) as Record<string, unknown>;
  return json.hourly !== undefined && json.hourly !== null;
}
