// GET /v1/models and GET /v1/models/{version}: the registry (versions with holdout scores, aliases,
// promotion history), what this process serves, and one version with its feature spec.
import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import { verifySha256 } from "../../model/predictor/index.ts";
import { Registry } from "../../registry/registry.ts";
import { isArtifactProblem, parseServingArtifact } from "../../serving/artifact.ts";
import { ApiError } from "../api-errors.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses, LocationFilter, ModelDetailResponse, ModelsResponse, VersionParam } from "../api-schemas.ts";
import { knownLocation } from "./forecast.ts";

type Json = Record<string, unknown>;
const json = (x: unknown) => x as Json;

const list = createRoute({
  method: "get",
  path: "/v1/models",
  tags: ["registry"],
  summary: "Registered versions, aliases, promotion history and the models this process serves",
  request: { query: LocationFilter },
  responses: { 200: { description: "the registry", content: { "application/json": { schema: ModelsResponse } } }, ...errorResponses(400, 404) },
});

const one = createRoute({
  method: "get",
  path: "/v1/models/{version}",
  tags: ["registry"],
  summary: "One version: holdout scores and its feature spec (names in order, types)",
  request: { params: VersionParam, query: LocationFilter },
  responses: {
    200: { description: "the version", content: { "application/json": { schema: ModelDetailResponse } } },
    ...errorResponses(400, 404, 409),
  },
});

export function registerModels(app: Api, deps: ApiDeps): void {
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const location = q.location === undefined ? undefined : knownLocation(deps, q.location).id;
    const overview = await new Registry({ db: deps.db, clock: deps.clock, logger: deps.logger }).overview(location);
    const serving = deps.locations.filter((l) => location === undefined || l.id === location).map((l) => json(deps.models.status(l.id)));
    const body: z.infer<typeof ModelsResponse> = {
      versions: overview.versions.map(json),
      aliases: overview.aliases.map(json),
      history: overview.history.map(json),
      serving,
    };
    return c.json(body, 200);
  });

  app.openapi(one, async (c) => {
    const { version } = c.req.valid("param");
    const location = knownLocation(deps, c.req.valid("query").location).id;
    const registry = new Registry({ db: deps.db, clock: deps.clock, logger: deps.logger });
    const v = await registry.getVersion(location, version);
    const loaded = deps.models.peek(location);
    let artifact = loaded?.version === v.version ? loaded.artifact : undefined;
    if (!artifact) {
      const obj = await deps.objects.get(v.featureSpec.key);
      if (obj === null)
        throw new ApiError(
          409,
          "artifact_integrity",
          `the feature spec of ${location} version ${v.version} (${v.featureSpec.key}) is missing from the object store`,
        );
      try {
        await verifySha256(obj.body, v.featureSpec.sha256, `features.json of ${v.version}`);
      } catch (e) {
        throw new ApiError(409, "artifact_integrity", (e as Error).message);
      }
      const parsed = parseServingArtifact(new TextDecoder().decode(obj.body));
      if (isArtifactProblem(parsed)) throw new ApiError(409, "artifact_integrity", `features.json of ${v.version}: ${parsed.message}`);
      artifact = parsed;
    }
    const production = (await registry.getProduction(location))?.version === v.version;
    const body: z.infer<typeof ModelDetailResponse> = {
      version: json(v),
      production,
      feature_spec: {
        version: artifact.spec.version,
        target: artifact.spec.target,
        horizon_hours: artifact.spec.horizonHours,
        features: artifact.spec.features.map((f) => ({ name: f.name, type: f.type, group: f.group, description: f.description })),
      },
      recipe: json(artifact.recipe),
      trained_before: artifact.trainedBefore,
      iterations: artifact.iterations,
      train_rows: artifact.trainRows,
    };
    return c.json(body, 200);
  });
}
