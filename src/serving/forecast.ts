// The 24-hour forecast from the latest stored observations: the row issued at the latest hour with an
// observed temperature at or before the requested time is rebuilt with buildForecastDataset from the
// model's own recipe and climatology (exactly as training built its rows), evaluated by the
// TypeScript predictor, and turned back into °C with inverseTarget. The baselines for the same hour
// come from the same row: persistence T(t), the climatology at t+24h, and the latest KMA forecast for
// t+24h issued at or before t.
import { kmaLookup } from "../model/baselines.ts";
import { buildForecastDataset, inverseTarget } from "../model/dataset.ts";
import { HORIZON_HOURS } from "../model/features.ts";
import { HOUR_MS, type HourlySeries, isoHour } from "../model/series.ts";
import { InputsUnavailableError } from "./errors.ts";
import type { LoadedModel } from "./load-model.ts";

export interface ComputedForecast {
  location: string;
  version: string;
  /** Issue hour t (UTC epoch ms): the latest hour with an observed temperature at or before the request time. */
  issuedAt: number;
  validAt: number;
  temperatureC: number;
  /** The model's own output, in its target space (e.g. delta: T(t+24h) - T(t)). */
  modelOutput: number;
  persistenceC: number;
  climatologyC: number | null;
  kmaC: number | null;
  kmaIssuedAt: number | null;
  /** The newest observation hour of any field (epoch ms). */
  newestObservationAt: number;
  /** Hours with any observation in the window read. */
  observationsInWindow: number;
  windowFrom: number;
  /** Features that had no value for this row (LightGBM's missing value). */
  missingFeatures: string[];
}

const nanToNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The forecast issued at the latest observed temperature in `series` (which must hold only data at or
 * before the request time, from `windowFrom`). InputsUnavailableError('missing') when there is none.
 */
export function computeForecast(loaded: LoadedModel, series: HourlySeries, windowFrom: number, windowDays: number): ComputedForecast {
  const obs = series.observations;
  let i = obs.length - 1;
  while (i >= 0 && typeof obs[i]!.temperature !== "number") i--;
  if (i < 0) {
    throw new InputsUnavailableError(
      "missing",
      `no observed temperature for ${loaded.location} in the ${windowDays} days from ${isoHour(windowFrom)}: ingest observations first (nalssi ingest / backfill / import)`,
      {
        missing: ["temperature"],
        window_from: new Date(windowFrom).toISOString(),
        window_days: windowDays,
        observations_in_window: obs.length,
      },
    );
  }
  const issuedAt = obs[i]!.time;
  const { recipe, climatology } = loaded.artifact;
  const kma = kmaLookup(series.kmaForecasts);
  const ds = buildForecastDataset(series, {
    features: recipe.features,
    target: recipe.target,
    context: { climatology, kma },
    from: issuedAt,
    to: issuedAt + HOUR_MS,
    requireTarget: false,
  });
  if (ds.numRows !== 1) throw new Error(`expected one row at ${isoHour(issuedAt)}, built ${ds.numRows}`);
  const row = ds.data.subarray(0, ds.numCols);
  const modelOutput = loaded.model.predict(row);
  const temperatureC = inverseTarget(ds, [modelOutput])[0]!;
  const missingFeatures = ds.featureNames.filter((_, k) => Number.isNaN(row[k]!));
  if (!Number.isFinite(temperatureC)) {
    throw new InputsUnavailableError(
      "missing",
      `the forecast issued at ${isoHour(issuedAt)} could not be computed: its target transform ${recipe.target} needs inputs that are missing`,
      {
        missing: ds.spec.target === "delta_clim" || ds.spec.target === "anomaly" ? ["climatology"] : ["temperature"],
        missing_features: missingFeatures,
      },
    );
  }
  const validAt = issuedAt + HORIZON_HOURS * HOUR_MS;
  return {
    location: loaded.location,
    version: loaded.version,
    issuedAt,
    validAt,
    temperatureC,
    modelOutput,
    persistenceC: ds.current[0]!,
    climatologyC: nanToNull(ds.climTarget[0]!),
    kmaC: nanToNull(ds.kma[0]!),
    kmaIssuedAt: kma.latest(validAt, issuedAt)?.issuedAt ?? null,
    newestObservationAt: obs[obs.length - 1]!.time,
    observationsInWindow: obs.length,
    windowFrom,
    missingFeatures,
  };
}
