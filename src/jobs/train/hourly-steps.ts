// The hourly (1..48 h) model set in the daily pipeline, split so that each Workflows step stays
// within its CPU budget: train_hourly fits the lead-group models (hourly-models.json),
// calibrate_hourly cross-fits the interval calibration and writes the version's features.json
// (the legacy 24 h spec with the complete hourly set under `hourly`), and the evaluate and promote
// steps score the set per lead on the holdout with the TypeScript predictor.
import { type HourlyArtifact, type HourlyModels, hourlyModelsSchema } from "../../model/artifact.ts";
import { appendForecasts, emptyLeadTable, forecastTableOf, type LeadReport, leadReport, type LeadTable, pooledCoverage } from "../../model/lead-scores.ts";
import { loadHourlyModel } from "../../model/hourly-load.ts";
import { calibrateHourly, contextFor, fitGroups, forecastRows, prepareFit } from "../../model/hourly-model.ts";
import type { LightGBM } from "../../model/lightgbm-wasm/lightgbm.ts";
import { MAX_LEAD_HOURS } from "../../model/lead-features.ts";
import type { LeadRecipe } from "../../model/artifact.ts";
import { buildLeadRows } from "../../model/multilead-dataset.ts";
import type { HourlySeries } from "../../model/series.ts";
import { HourlyGrid } from "../../model/series-grid.ts";
import type { LeadScore } from "../../registry/gate.ts";
import { PermanentStepError } from "../pipeline/runner.ts";
import type { Window } from "./score.ts";

const ALL_LEADS = Array.from({ length: MAX_LEAD_HOURS }, (_, k) => k + 1);

/** The group models fitted on the series before `before` (the holdout start). */
export function trainHourlyModels(lgb: LightGBM, series: HourlySeries, before: number, recipe: LeadRecipe): HourlyModels {
  const { models, boosters } = fitGroups(lgb, prepareFit(series, before, recipe));
  boosters.forEach((b) => b.free());
  return models;
}

export function parseHourlyModels(text: string): HourlyModels {
  const parsed = hourlyModelsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new PermanentStepError(`hourly-models.json is malformed: ${parsed.error.issues[0]?.message ?? "?"}`);
  return parsed.data;
}

/** The calibrated artifact: the models plus the calibration cross-fitted on the same data. */
export function calibrateHourlyModels(lgb: LightGBM, series: HourlySeries, models: HourlyModels): HourlyArtifact {
  const setup = prepareFit(series, Date.parse(models.trainedBefore), models.recipe);
  return { ...models, calibration: calibrateHourly(lgb, setup) };
}

/** Every lead's forecasts for the issue hours of the window whose T(t+h) is observed in `series`. */
export function scoreHourly(artifact: HourlyArtifact, series: HourlySeries, w: Window): LeadTable {
  const loaded = loadHourlyModel(artifact);
  const rows = buildLeadRows(new HourlyGrid(series), {
    issueFeatures: artifact.recipe.issueFeatures,
    leadFeatures: artifact.recipe.leadFeatures,
    context: contextFor(artifact, series),
    leads: ALL_LEADS,
    from: w.from,
    to: w.to,
  });
  return appendForecasts(emptyLeadTable(), rows, forecastRows(loaded, rows));
}

/** Per-lead reports of the leads that have rows. */
export function leadReports(t: LeadTable): LeadReport[] {
  const present = new Set(t.lead);
  return ALL_LEADS.filter((h) => present.has(h)).map((h) => leadReport(t, h));
}

export function leadScores(reports: readonly LeadReport[]): LeadScore[] {
  return reports.map((r) => ({
    lead: r.lead_hours,
    rmse: r.model.rmse,
    persistenceRmse: r.persistence.rmse,
    bestBaselineRmse: Math.min(...[r.persistence.rmse, r.diurnal_persistence.rmse, r.climatology.rmse].filter(Number.isFinite)),
  }));
}

export { forecastTableOf, pooledCoverage };
