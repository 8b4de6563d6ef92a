// The model facts every answer that used a model carries.
import type { z } from "@hono/zod-openapi";
import type { LoadedModel } from "../../serving/load-model.ts";
import type { ModelSummary } from "../api-schemas.ts";

export function modelSummary(m: LoadedModel): z.infer<typeof ModelSummary> {
  const h = m.registered.holdout;
  return {
    version: m.version,
    trained_at: m.trainedAt,
    data_until: m.artifact.trainedBefore,
    target: m.artifact.spec.target,
    holdout: {
      from: h.from,
      to: h.to,
      n: h.n,
      rmse: h.rmse,
      persistence_rmse: h.persistenceRmse,
      climatology_rmse: h.climatologyRmse,
      kma_rmse: h.kmaRmse,
      skill_vs_persistence: h.skill,
    },
  };
}
