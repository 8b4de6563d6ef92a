// The pooled option of the daily training: ONE hourly model set fitted over several locations
// (src/model/pooled-model.ts), then, per location, a registry version of it scored on that
// location's own holdout (the same window as its local pipeline run for the date) and put to the
// gate against the location's production. So the gate decides per location whether the pooled set
// or the local one serves: if the local run of the day is production, the pooled version must beat
// it (no_regression) and persistence on every lead, on exactly the same rows, or it stays a
// candidate; the decision and its reason are in the promotion history (actor `pooled-gate`), and the
// tracking run's params say `kind: "pooled"` and the pool.
//
// Artifacts are COPIED per location: a version's features.json is one document that serving reads
// (src/serving), so each holds the shared group models with that location's climatology and
// descriptors. The legacy 24 h model of a version (model.txt, still read by today's serving path)
// is fitted on the location's own data as in the local pipeline.
import { kmaLookup } from "../../model/baselines.ts";
import { buildForecastDataset } from "../../model/dataset.ts";
import { DEFAULT_RECIPE } from "../../model/features-recipes.ts";
import { exportModel, fitModel } from "../../model/forecast-model.ts";
import { hourlyFromFeaturesJson, serializeHourlyArtifact } from "../../model/artifact.ts";
import { calibratePooled, fitPooledGroups, type PoolMember, pooledArtifactFor, preparePooled } from "../../model/pooled-model.ts";
import { fingerprintDataset } from "../../tracking/dataset-fingerprint.ts";
import { PermanentStepError } from "../pipeline/runner.ts";
import { loadSeries } from "./load-series.ts";
import { cutoffOf, holdoutWindow, type TrainingDeps } from "./pipeline.ts";
import { forecastTableOf, leadReports, leadScores, pooledCoverage, scoreHourly } from "./hourly-steps.ts";
import { metricsOf } from "./score.ts";

export interface PooledRequest {
  locations: readonly string[];
  runDate: string;
  /** Lat/lon/altitude of locations where known (the station catalog); others get NaN descriptors. */
  positions?: Readonly<Record<string, { lat: number | null; lon: number | null; altitude: number | null }>>;
  maxRowsPerGroup?: number;
}

export interface PooledLocationResult {
  location: string;
  version: string | null;
  promoted: boolean;
  reason: string;
  rmse24: number | null;
  persistence24: number | null;
  climatology: "own" | "pool-shifted";
}

export async function runPooledTraining(d: TrainingDeps, req: PooledRequest): Promise<{ rowsPerGroup: number[]; results: PooledLocationResult[] }> {
  if (req.locations.length < 2) throw new PermanentStepError(`a pooled set needs at least 2 locations, got ${req.locations.join(", ") || "none"}`);
  const cutoff = cutoffOf(req.runDate);
  const w = holdoutWindow(cutoff, d.holdoutDays ?? 14);
  const series = new Map<string, Awaited<ReturnType<typeof loadSeries>>>();
  for (const id of req.locations) series.set(id, await loadSeries(d.db, id, { before: new Date(cutoff) }));
  const members: PoolMember[] = req.locations.map((id) => ({ series: series.get(id)!, position: req.positions?.[id] ?? null }));
  const lgb = await d.loadLightGBM();
  // Fitted on everything before the holdout, as the local set is.
  const setup = preparePooled(members, w.from, undefined, req.maxRowsPerGroup);
  const { models, boosters } = fitPooledGroups(lgb, setup);
  boosters.forEach((b) => b.free());
  const calibration = calibratePooled(lgb, setup);
  const results: PooledLocationResult[] = [];
  for (const m of setup.members) {
    const location = m.locationId;
    const s = series.get(location)!;
    const artifact = pooledArtifactFor(models, calibration, m);
    const runId = await d.tracker.startRun({
      location,
      code: d.code,
      params: {
        kind: "pooled",
        pool: [...req.locations],
        recipe: models.recipe.name,
        climatology: m.station.climatologySource,
        holdout_days: d.holdoutDays ?? 14,
        cutoff: new Date(cutoff).toISOString(),
        run_date: req.runDate,
      },
    });
    try {
      // The legacy 24 h model (today's serving path) and the dataset fingerprint, as the local pipeline makes them.
      const recipe = d.recipe ?? DEFAULT_RECIPE;
      const ds = buildForecastDataset(s, {
        features: recipe.features,
        target: recipe.target,
        targetBefore: w.from,
        context: { climatology: null, kma: kmaLookup(s.kmaForecasts) },
      });
      await d.tracker.logDataset(
        runId,
        await fingerprintDataset({
          data: ds.data.subarray(0, ds.numRows * ds.numCols),
          labels: ds.label.subarray(0, ds.numRows),
          features: ds.featureNames,
          from: ds.numRows ? ds.issueTime[0]! : w.from,
          to: w.from,
          featureSpecVersion: ds.spec.version,
        }),
      );
      const legacy = fitModel(lgb, s, w.from, recipe);
      let spec;
      try {
        const { lightgbmModel, ...rest } = exportModel(legacy);
        await d.tracker.logArtifact(runId, "model.txt", lightgbmModel);
        spec = rest;
      } finally {
        legacy.booster.free();
      }
      const features = await d.tracker.logJsonArtifact(runId, "features.json", { ...spec, hourly: JSON.parse(serializeHourlyArtifact(artifact)) });
      const table = scoreHourly(artifact, s, w);
      const at24 = forecastTableOf(
        table,
        table.lead.flatMap((h, i) => (h === 24 ? [i] : [])),
      );
      if (at24.observed.length === 0) throw new PermanentStepError(`no holdout hour of ${location} has an observed T(t) and T(t+24h)`);
      const reports = leadReports(table);
      const base = metricsOf(at24, w);
      const metrics = { ...base, holdout: { ...base.holdout, leads: reports, pooled: pooledCoverage(table) } };
      await d.tracker.logMetrics(runId, metrics);
      await d.tracker.logJsonArtifact(runId, "metrics.json", metrics);
      await d.tracker.endRun(runId, { status: "succeeded" });
      void features;
    } catch (e) {
      await d.tracker.endRun(runId, { status: "failed", error: e });
      results.push({
        location,
        version: null,
        promoted: false,
        reason: `not registered: ${(e as Error).message}`,
        rmse24: null,
        persistence24: null,
        climatology: m.station.climatologySource,
      });
      continue;
    }
    const v = await d.registry.register(runId);
    const production = await d.registry.getProduction(location);
    let productionRescore = null;
    if (production) {
      const text = new TextDecoder().decode((await d.objects.get(production.featureSpecKey))?.body ?? new Uint8Array());
      const t = scoreHourly(hourlyFromFeaturesJson(text), s, w);
      const m24 = metricsOf(
        forecastTableOf(
          t,
          t.lead.flatMap((h, i) => (h === 24 ? [i] : [])),
        ),
        w,
      );
      productionRescore = { version: production.version, window: { from: v.holdout.from, to: v.holdout.to, n: m24.holdout.n }, rmse: m24.holdout.model.rmse };
    }
    const leads = leadScores(leadReports(scoreHourly(artifact, s, w)));
    const outcome = await d.registry.applyGate({
      location,
      version: v.version,
      productionRescore,
      leads,
      gateName: "pooled-gate",
      ...(d.gatePolicy ? { policy: d.gatePolicy } : {}),
    });
    results.push({
      location,
      version: v.version,
      promoted: outcome.decision.promote,
      reason: `pooled vs ${production ? `production ${production.version}` : "no production"}: ${outcome.decision.reason}`,
      rmse24: v.holdout.rmse,
      persistence24: v.holdout.persistenceRmse,
      climatology: m.station.climatologySource,
    });
  }
  return { rowsPerGroup: models.groups.map((g) => g.trainRows), results };
}
