// The hourly model artifact: ONE JSON document for the whole 1..48 h model set (lead-group models
// as LightGBM text, the feature spec, the climatology, the interval calibration per lead and the
// recipe). Training writes it with serializeHourlyArtifact and everything that reads it (training's
// evaluate/promote steps, serving) parses it with parseHourlyArtifact: one zod schema, no casts.
import { z } from "zod";
import { MODEL_ARTIFACT_FORMAT, type ModelArtifact } from "./forecast-model.ts";
import { FEATURE_CATALOGUE_VERSION, type FeatureGroup } from "./features.ts";
import { MAX_LEAD_HOURS } from "./lead-features.ts";
import { stationDescriptorsSchema } from "./pooled-features.ts";

export const HOURLY_ARTIFACT_FORMAT = "nalssi-hourly-model-v1";

const finite = z.number().refine(Number.isFinite, "must be a finite number");
const lead = z.number().int().min(1).max(MAX_LEAD_HOURS);

export const leadRecipeSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  issueFeatures: z.array(z.string().min(1)),
  leadFeatures: z.array(z.string().min(1)).min(1),
  /** Lead groups [from, to], inclusive, covering 1..48 without overlap. */
  groups: z.array(z.tuple([lead, lead])).min(1),
  /** Leads sampled per issue hour and group for training (0 = every lead). */
  leadsPerIssue: z.number().int().nonnegative(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Blocked cross-fitting folds for the interval calibration (>= 2). */
  calibrationFolds: z.number().int().min(2),
  /**
   * Multiplier of the cross-fitted residual quantiles (default 1): the fold models see only
   * (K-1)/K of the data, so their residuals run wider than the full model's; chosen by validation
   * inside the training period (see hourly-recipes.ts).
   */
  calibrationScale: z.number().positive().max(2).optional(),
});
export type LeadRecipe = z.infer<typeof leadRecipeSchema>;

export const climatologySchema = z.object({
  kind: z.literal("harmonic-v1"),
  annual: z.boolean(),
  coefficients: z.array(finite),
  fittedFrom: finite,
  fittedTo: finite,
  n: z.number().int().nonnegative(),
  rmse: finite,
});

/** Residual quantiles (observed - point) at one lead, from out-of-fold forecasts before the cutoff. */
export const leadCalibrationSchema = z.object({
  lead,
  n: z.number().int().nonnegative(),
  q025: finite,
  q10: finite,
  q90: finite,
  q975: finite,
});
export type LeadCalibration = z.infer<typeof leadCalibrationSchema>;

const groupsShape = {
  format: z.literal(HOURLY_ARTIFACT_FORMAT),
  featureCatalogueVersion: z.string().min(1),
  recipe: leadRecipeSchema,
  /** Column order of every group model: recipe.issueFeatures then recipe.leadFeatures. */
  featureNames: z.array(z.string().min(1)).min(1),
  target: z.literal("delta"),
  climatology: climatologySchema.nullable(),
  trainedBefore: z.iso.datetime({ offset: true }),
  /** A pooled set's per-location artifact: the location's descriptors (pooled-features.ts, pooled-model.ts). */
  station: stationDescriptorsSchema.optional(),
  groups: z
    .array(
      z.object({
        leads: z.tuple([lead, lead]),
        iterations: z.number().int().nonnegative(),
        trainRows: z.number().int().nonnegative(),
        lightgbmModel: z.string().min(1),
      }),
    )
    .min(1),
};

/** The group models before calibration (what the pipeline's train_hourly step stores). */
export const hourlyModelsSchema = z.object(groupsShape);
export type HourlyModels = z.infer<typeof hourlyModelsSchema>;

export const hourlyArtifactSchema = z
  .object({
    ...groupsShape,
    calibration: z.object({
      method: z.literal("cross-fit-residual-quantiles"),
      folds: z.number().int().min(2),
      leads: z.array(leadCalibrationSchema).length(MAX_LEAD_HOURS),
    }),
  })
  .superRefine((a, ctx) => {
    const expected = [...a.recipe.issueFeatures, ...a.recipe.leadFeatures];
    if (expected.join(",") !== a.featureNames.join(","))
      ctx.addIssue({ code: "custom", path: ["featureNames"], message: "must be recipe.issueFeatures followed by recipe.leadFeatures" });
    const covered = new Array<number>(MAX_LEAD_HOURS + 1).fill(0);
    for (const g of a.groups) for (let h = g.leads[0]; h <= g.leads[1]; h++) covered[h]!++;
    const bad = covered.slice(1).findIndex((c) => c !== 1);
    if (bad >= 0)
      ctx.addIssue({
        code: "custom",
        path: ["groups"],
        message: `lead ${bad + 1} is served by ${covered[bad + 1]} group models; every lead 1..${MAX_LEAD_HOURS} needs exactly one`,
      });
    a.calibration.leads.forEach((c, k) => {
      if (c.lead !== k + 1) ctx.addIssue({ code: "custom", path: ["calibration", "leads", k], message: `must be lead ${k + 1}` });
      if (!(c.q025 <= c.q10 && c.q10 <= c.q90 && c.q90 <= c.q975))
        ctx.addIssue({ code: "custom", path: ["calibration", "leads", k], message: "quantiles must not cross" });
    });
  });
export type HourlyArtifact = z.infer<typeof hourlyArtifactSchema>;

export class ArtifactError extends Error {
  override name = "ArtifactError";
  readonly reason: "corrupt" | "incompatible";
  constructor(reason: "corrupt" | "incompatible", message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Parses and checks an hourly artifact (text or already-parsed JSON). Throws ArtifactError naming the problem. */
export function parseHourlyArtifact(input: string | unknown): HourlyArtifact {
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch {
      throw new ArtifactError("corrupt", "the model artifact is not JSON");
    }
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== HOURLY_ARTIFACT_FORMAT) {
    throw new ArtifactError("incompatible", `the model artifact has format ${JSON.stringify(format ?? null)}; this code reads ${HOURLY_ARTIFACT_FORMAT}`);
  }
  const parsed = hourlyArtifactSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    throw new ArtifactError("corrupt", `the model artifact is malformed: ${first.join("; ")}`);
  }
  if (parsed.data.featureCatalogueVersion !== FEATURE_CATALOGUE_VERSION) {
    throw new ArtifactError(
      "incompatible",
      `the model was trained with feature catalogue ${parsed.data.featureCatalogueVersion}; this code computes ${FEATURE_CATALOGUE_VERSION} (retrain it)`,
    );
  }
  return parsed.data;
}

export function serializeHourlyArtifact(a: HourlyArtifact): string {
  return JSON.stringify(hourlyArtifactSchema.parse(a));
}

/**
 * The hourly set inside a registry version's features.json: that document is the legacy 24 h spec
 * (read by today's serving path) with the hourly model set under `hourly`. Throws ArtifactError.
 */
export function hourlyFromFeaturesJson(text: string): HourlyArtifact {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ArtifactError("corrupt", "features.json is not JSON");
  }
  if (typeof json !== "object" || json === null || !("hourly" in json))
    throw new ArtifactError("incompatible", "features.json has no hourly model set (a version trained before the 1..48 h models)");
  return parseHourlyArtifact((json as { hourly: unknown }).hourly);
}

// --- The 24 h model's features.json (the ModelArtifact of forecast-model.ts without its LightGBM
// text, which is model.txt). Serving (serving/artifact.ts, load-model.ts) and training (the
// calibrate_hourly step, which adds the hourly set to it, and loadArtifactModel) parse it with
// parseServingArtifact. Loose objects: keys this code does not know (the `hourly` set) pass through.
/** features.json: the ModelArtifact without the LightGBM text (that is model.txt). */
export type ServingArtifact = Omit<ModelArtifact, "lightgbmModel">;

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
const target24 = z.enum(["level", "delta", "delta_clim", "anomaly"]);

export const forecastArtifactSchema = z.looseObject({
  format: z.literal(MODEL_ARTIFACT_FORMAT),
  spec: z.looseObject({ version: z.string().min(1), horizonHours: z.number().int(), target: target24, features: z.array(featureEntry).min(1) }),
  recipe: z.looseObject({
    name: z.string(),
    description: z.string(),
    features: z.array(z.string()).min(1),
    target: target24,
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])),
    validationDays: z.number(),
    earlyStoppingRounds: z.number(),
    refit: z.boolean(),
  }),
  climatology: z
    .looseObject({
      kind: z.literal("harmonic-v1"),
      annual: z.boolean(),
      coefficients: z.array(z.number()),
      fittedFrom: z.number(),
      fittedTo: z.number(),
      n: z.number(),
      rmse: z.number(),
    })
    .nullable(),
  trainedBefore: z.iso.datetime({ offset: true }),
  iterations: z.number().int().nonnegative(),
  trainRows: z.number().int().nonnegative(),
  validRmse: z.number().nullable(),
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
  const parsed = forecastArtifactSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    return { reason: "corrupt", message: `features.json is malformed: ${first.join("; ")}` };
  }
  return parsed.data;
}

export function isArtifactProblem(x: ServingArtifact | ArtifactProblem): x is ArtifactProblem {
  return "reason" in x && "message" in x && !("format" in x);
}
