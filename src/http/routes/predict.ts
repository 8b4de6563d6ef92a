// POST /v1/predict: feature rows for one lead in, that lead's model set output out (in the models'
// target space, T(t+h) - T(t)), checked against the production set's own features.
import { createRoute } from "@hono/zod-openapi";
import type { z } from "@hono/zod-openapi";
import { MAX_LEAD_HOURS } from "../../model/lead-features.ts";
import { MAX_BATCH_ROWS, predictHourlyRows } from "../../serving/predict.ts";
import { NoModelError } from "../../serving/errors.ts";
import type { Api, ApiDeps } from "../api-deps.ts";
import { errorResponses, PredictRequest, PredictResponse } from "../api-schemas.ts";
import { knownLocation } from "./forecast.ts";

const route = createRoute({
  method: "post",
  path: "/v1/predict",
  tags: ["forecast"],
  summary: "Predict from feature rows with the production 1..48 h model set",
  description: `Send {"lead_hours": h, "features": {...}} for one row or {"lead_hours": h, "instances": [...]} for up to ${MAX_BATCH_ROWS} rows, h in 1..${MAX_LEAD_HOURS}. Each row names exactly the set's features except \`lead\` (GET /v1/models/{version} lists them; lead_hours fills \`lead\`) with a finite number, or null for a missing value. The lead picks its lead-group model. Predictions come back in order in the models' TARGET space: T(t+h) - T(t) in °C (add the issue hour's temperature T(t)), with the calibrated 80 % and 95 % interval bounds in the same space.`,
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
    if (!model.hourly)
      throw new NoModelError(
        location.id,
        `the production model ${model.version} of ${location.id} has no 1..48 h model set (it was trained before them): train and promote a new version`,
      );
    const single = body.features !== undefined;
    const rows = single ? [body.features!] : body.instances!;
    const p = predictHourlyRows(model, body.lead_hours, rows, single);
    const answer: z.infer<typeof PredictResponse> = {
      location: location.id,
      model: { version: model.version, hourly_recipe: model.hourly.artifact.recipe.name, lead_group: p.group },
      lead_hours: p.lead,
      target: { name: "delta", description: "T(t+h) - T(t): the change from the issue hour's temperature", unit: "°C" },
      output: "target",
      predictions: Array.from(p.point),
      intervals: { p10: Array.from(p.p10), p90: Array.from(p.p90), p025: Array.from(p.p025), p975: Array.from(p.p975) },
    };
    return c.json(answer, 200);
  });
}
