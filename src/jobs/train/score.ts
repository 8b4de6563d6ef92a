// Scoring a fitted model on a window of issue hours against persistence, climatology and KMA:
// the same rows for every forecast, so the numbers can be compared (and the gate can compare two
// models on exactly the same rows).
import type { FittedModel } from "../../model/forecast-model.ts";
import { datasetFor, predictTemperatures } from "../../model/forecast-model.ts";
import { climatologyAt } from "../../model/baselines.ts";
import { HORIZON_HOURS } from "../../model/features.ts";
import { type ForecastTable, type Verification, verify, verifyByMonth } from "../../model/metrics.ts";
import { HOUR_MS, type HourlySeries } from "../../model/series.ts";
import type { HoldoutMetrics, MonthMetrics } from "../../tracking/metrics.ts";

export interface Window {
  /** Issue hours [from, to), UTC epoch ms. */
  from: number;
  to: number;
}

export function scoreOnWindow(model: FittedModel, series: HourlySeries, w: Window): ForecastTable {
  const ds = datasetFor(model, series, { from: w.from, to: w.to });
  const predicted = predictTemperatures(model, ds);
  const n = ds.numRows;
  const climatology = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    climatology[r] = model.climatology ? climatologyAt(model.climatology, ds.issueTime[r]! + HORIZON_HOURS * HOUR_MS) : Number.NaN;
  }
  return {
    issueTime: Float64Array.from(ds.issueTime.subarray(0, n)),
    observed: Float64Array.from(ds.target.subarray(0, n)),
    model: predicted,
    persistence: Float64Array.from(ds.current.subarray(0, n)),
    climatology,
    kma: Float64Array.from(ds.kma.subarray(0, n)),
  };
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

type Scored = Pick<HoldoutMetrics, "n" | "model" | "persistence" | "climatology" | "kma" | "skill" | "skill_vs_climatology">;

function holdoutOf(v: Verification): Scored {
  return {
    n: v.n,
    model: { rmse: v.model.rmse, mae: v.model.mae, bias: v.model.bias },
    persistence: { rmse: v.persistence.rmse, mae: v.persistence.mae, bias: v.persistence.bias },
    climatology: { rmse: finiteOrNull(v.climatology.rmse), mae: finiteOrNull(v.climatology.mae), bias: finiteOrNull(v.climatology.bias) },
    kma: v.kma
      ? { rmse: v.kma.rmse, mae: v.kma.mae, bias: v.kma.bias, n: v.kma.n, model_rmse: v.kma.model_rmse, persistence_rmse: v.kma.persistence_rmse }
      : null,
    skill: v.skill,
    skill_vs_climatology: finiteOrNull(v.skill_vs_climatology),
  };
}

/** Holdout metrics and by-month metrics in the shape the tracker records. */
export function metricsOf(table: ForecastTable, w: Window): { holdout: HoldoutMetrics; by_month: MonthMetrics[] } {
  const v = verify(table);
  return {
    holdout: { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString(), ...holdoutOf(v) },
    by_month: verifyByMonth(table).map((m) => ({ month: m.month, ...holdoutOf(m) })),
  };
}
