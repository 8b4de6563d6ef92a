// The feature half of a model version: `features.json` is the ModelArtifact of
// src/model/forecast-model.ts (exportModel) without its `lightgbmModel` field — format, feature spec,
// recipe, climatology, training cutoff, iterations, rows, validation RMSE. Serving rebuilds feature
// rows with buildForecastDataset from the recipe and the climatology, so the artifact must describe
// exactly the features this code computes: anything else is refused as incompatible.
import { z } from "zod";
import { MODEL_ARTIFACT_FORMAT, type ModelArtifact } from "../model/forecast-model.ts";
import { FEATURE_CATALOGUE_VERSION, FeatureError, type FeatureGroup, featureSpec, HORIZON_HOURS } from "../model/features.ts";
import type { Model } from "../model/predictor/index.ts";

/** features.json: the ModelArtifact without the LightGBM text (that is model.txt). */
export type ServingArtifact = Omit<ModelArtifact, "lightgbmModel">;

const finite = z.number();
const featureGroup = z.enum([
  "temperature",
  "humidity",
  "wind",
  "precipitation",
  "pressure",
  "radiation",
  "sky",
  "calendar",
  "climatology",
  "kma",
  "seed",
]) satisfies z.ZodType<FeatureGroup>;
const featureEntry = z.looseObject({ name: z.string().min(1), type: z.literal("float"), group: featureGroup, description: z.string() });
const target = z.enum(["level", "delta", "delta_clim", "anomaly"]);

const artifactSchema = z.looseObject({
  format: z.literal(MODEL_ARTIFACT_FORMAT),
  spec: z.looseObject({ version: z.string().min(1), horizonHours: z.number().int(), target, features: z.array(featureEntry).min(1) }),
  recipe: z.looseObject({
    name: z.string(),
    description: z.string(),
    features: z.array(z.string()).min(1),
    target,
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])),
    validationDays: finite,
    earlyStoppingRounds: finite,
    refit: z.boolean(),
  }),
  climatology: z
    .looseObject({
      kind: z.literal("harmonic-v1"),
      annual: z.boolean(),
      coefficients: z.array(finite),
      fittedFrom: finite,
      fittedTo: finite,
      n: finite,
      rmse: finite,
    })
    .nullable(),
  trainedBefore: z.iso.datetime({ offset: true }),
  iterations: z.number().int().nonnegative(),
  trainRows: z.number().int().nonnegative(),
  validRmse: finite.nullable(),
});

export type ArtifactProblem = { reason: "corrupt" | "incompatible"; message: string };

/** Parses features.json; returns the artifact or what is wrong with it (never throws). */
export function parseServingArtifact(text: string): ServingArtifact | ArtifactProblem {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { reason: "corrupt", message: "features.json is not JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { reason: "corrupt", message: "features.json is not a JSON object" };
  const format = (json as { format?: unknown }).format;
  if (format !== MODEL_ARTIFACT_FORMAT) {
    return { reason: "incompatible", message: `features.json has format ${JSON.stringify(format ?? null)}; this code serves ${MODEL_ARTIFACT_FORMAT}` };
  }
  const parsed = artifactSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    return { reason: "corrupt", message: `features.json is malformed: ${first.join("; ")}` };
  }
  return parsed.data;
}

export function isArtifactProblem(x: ServingArtifact | ArtifactProblem): x is ArtifactProblem {
  return "reason" in x && "message" in x && !("format" in x);
}

/**
 * Whether this code can serve the artifact with this LightGBM model: the feature catalogue version,
 * the features (names, order, definitions) and the target must be what this code computes, and the
 * model must read exactly those features and give one value per row. Returns the problem, or null.
 */
export function incompatibility(a: ServingArtifact, model: Model, registeredSpecVersion: string): string | null {
  if (a.spec.version !== FEATURE_CATALOGUE_VERSION) {
    return `it was trained with feature catalogue ${a.spec.version}; this code computes ${FEATURE_CATALOGUE_VERSION} (retrain it)`;
  }
  if (registeredSpecVersion !== a.spec.version) {
    return `the registry records feature spec ${registeredSpecVersion}, features.json says ${a.spec.version}`;
  }
  if (a.spec.horizonHours !== HORIZON_HOURS) return `it forecasts ${a.spec.horizonHours} h ahead; this code serves ${HORIZON_HOURS} h`;
  let current;
  try {
    current = featureSpec(a.recipe.features, a.recipe.target);
  } catch (e) {
    if (e instanceof FeatureError) return `its recipe names features this code does not have (${e.message})`;
    throw e;
  }
  if (JSON.stringify(current) !== JSON.stringify(a.spec)) {
    return `its feature spec (${a.spec.features.map((f) => f.name).join(", ")}, target ${a.spec.target}) is not what this code computes for that recipe (retrain it)`;
  }
  const names = a.spec.features.map((f) => f.name);
  if (model.featureNames.join(",") !== names.join(",")) {
    return `model.txt reads features ${model.featureNames.join(", ")}, features.json lists ${names.join(", ")}`;
  }
  if (model.numOutputs !== 1) return `model.txt gives ${model.numOutputs} values per row; a temperature model gives one`;
  if (model.info.numIterations !== a.iterations) return `model.txt has ${model.info.numIterations} iterations, features.json says ${a.iterations}`;
  return null;
}
