// POST /v1/predict: feature rows in, predictions out (in the model's target space), checked against
// the production model's own feature spec.
import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import { MAX_BATCH_ROWS, predictRows, targetDescription } from "../../serving/predict.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses, PredictRequest, PredictResponse } from "../api-schemas.ts";
import { knownLocation } from "./forecast.ts";

const route = createRoute({
  method: "post",
  path: "/v1/predict",
  tags: ["forecast"],
  summary: "Predict from feature rows with the production model",
  description: `Send one row as {"features": {...}} or up to ${MAX_BATCH_ROWS} rows as {"instances": [...]}; each row must name exactly the model's features (GET /v1/models/{version}) with a finite number, or null for a missing value. Predictions come back in order, in the model's TARGET space: for the delta target a prediction is T(t+24h) - T(t) in °C (add T(t) for the temperature); only the level target predicts °C directly (target.is_temperature).`,
  request: { body: { required: true, content: { "application/json": { schema: PredictRequest } } } },
  responses: {
    200: { description: "predictions, in request order", content: { "application/json": { schema: PredictResponse } } },
    ...errorResponses(400, 404, 413, 415, 503),
  },
});

export function registerPredict(app: Api, deps: ApiDeps): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    const location = knownLocation(deps, body.location);
    const model = await deps.models.get(location.id);
    const single = body.features !== undefined;
    const rows = single ? [body.features!] : body.instances!;
    const { predictions } = predictRows(model, rows, single);
    const answer: z.infer<typeof PredictResponse> = {
      location: location.id,
      model: { version: model.version, feature_spec_version: model.artifact.spec.version },
      target: targetDescription(model),
      output: "target",
      predictions: Array.from(predictions),
    };
    return c.json(answer, 200);
  });
}
