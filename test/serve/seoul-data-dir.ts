// Node helper for the serve tests and benchmark: a data folder (embedded libSQL nalssi.db + objects/)
// holding real model versions trained by LightGBM-wasm on data/seoul/SeoulBikeData.csv (UCI Seoul
// Bike Sharing Demand, CC BY 4.0, hourly Seoul weather 2017-12..2018-11), registered like the training
// job registers them, and the last weeks of the observations stored as ASOS rows.
import { readFileSync } from "node:fs";
import { createLocalObjectStore } from "../../src/adapters/node/local-object-store.ts";
import { openNodeDatabase } from "../../src/adapters/node/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { DEFAULT_RECIPE } from "../../src/model/features-recipes.ts";
import type { ModelRecipe } from "../../src/model/forecast-model.ts";
import { loadLightGBM } from "../../src/model/lightgbm-wasm/node.ts";
import { DAY_MS, HOUR_MS, type HourlySeries } from "../../src/model/series.ts";
import { parseSeoulBikeCsv } from "../../src/model/seoul-bike.ts";
import { fixedClock } from "../../src/ports/clock.ts";
import { Registry } from "../../src/registry/registry.ts";
import { registerTrained, storeObservations, type TrainedArtifacts, trainArtifacts, SMALL_HOURLY_RECIPE } from "../../src/serving/testing/fixtures.ts";

export const BIKE = (): HourlySeries => parseSeoulBikeCsv(readFileSync(new URL("../../data/seoul/SeoulBikeData.csv", import.meta.url), "utf8"));

export interface SeededDataDir {
  series: HourlySeries;
  /** The last observed hour (UTC epoch ms). */
  last: number;
  versions: string[];
  artifacts: TrainedArtifacts[];
}

/** Trains one version per recipe (cutoff 10 days before the end), promotes the first, stores the last `days` of observations. */
export async function seedSeoulDataDir(
  dataDir: string,
  recipes: ModelRecipe[] = [DEFAULT_RECIPE],
  days = 40,
  options: { compile?: boolean } = {},
): Promise<SeededDataDir> {
  const series = BIKE();
  const last = series.observations.at(-1)!.time;
  const lgb = await loadLightGBM();
  const { db } = await openNodeDatabase({ dataDir, env: {} });
  try {
    const clock = fixedClock("2018-12-01T00:00:00Z");
    await migrate(db, { clock });
    const objects = createLocalObjectStore(`${dataDir}/objects`);
    const artifacts: TrainedArtifacts[] = [];
    const versions: string[] = [];
    for (const recipe of recipes) {
      const a = trainArtifacts(lgb, series, last - 10 * DAY_MS, recipe, 7, SMALL_HOURLY_RECIPE);
      artifacts.push(a);
      versions.push(await registerTrained({ db, objects, clock }, "seoul", a, { compile: options.compile === true }));
      clock.advance(60_000);
    }
    await new Registry({ db, objects, clock }).promote({ location: "seoul", version: versions[0]!, by: "seed" });
    await storeObservations(db, series, "seoul", last - days * DAY_MS, last + HOUR_MS, clock.now());
    return { series, last, versions, artifacts };
  } finally {
    db.close();
  }
}
