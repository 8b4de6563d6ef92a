// node --expose-gc bench/model-cache-memory.bench.ts — memory of the serving model cache with many
// locations: trains one production-recipe model (DEFAULT_RECIPE) with LightGBM-wasm on a synthetic
// year, registers and promotes it under BENCH_MODELS locations (default 96, one per ASOS station),
// then loads them all through ModelCache (each location parses its own copy, as in production) and
// prints the process's resident memory and heap before and after, per model, and with the cache
// bounded to half (MODEL_CACHE_MAX_MODELS) to show the bound holds. Figures, no asserts.
import { loadavg } from "node:os";
import { ASOS_STATIONS } from "../src/locations/asos-catalog.ts";
import { DEFAULT_RECIPE } from "../src/model/features-recipes.ts";
import { loadLightGBM } from "../src/model/lightgbm-wasm/node.ts";
import { DAY_MS } from "../src/model/series.ts";
import { syntheticSeries } from "../src/model/series-fixtures.ts";
import { fixedClock } from "../src/ports/clock.ts";
import { memoryLogger } from "../src/ports/logger.ts";
import { Registry } from "../src/registry/registry.ts";
import { ModelCache } from "../src/serving/model-cache.ts";
import { registerTrained, trainArtifacts } from "../src/serving/testing/fixtures.ts";
import { createMemoryObjectStore } from "../src/storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../src/tracking/testing/seed.ts";

const N = Math.max(1, Number(process.env.BENCH_MODELS ?? 96));
const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function memory(): { rss: number; heap: number; external: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / MB, heap: m.heapUsed / MB, external: (m.external + m.arrayBuffers) / MB };
}

const fmt = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  if (!gc) console.log("(run with node --expose-gc for steadier figures)");
  const start = Date.UTC(2024, 0, 1);
  const series = { ...syntheticSeries({ days: 365, seed: 5, start }), locationId: "seoul" };
  const cutoff = start + 360 * DAY_MS;
  const lgb = await loadLightGBM();
  const trained = trainArtifacts(lgb, series, cutoff, DEFAULT_RECIPE);
  const db = await openMigratedMemoryDb();
  const objects = createMemoryObjectStore();
  const clock = fixedClock(new Date(cutoff + DAY_MS));
  const registry = new Registry({ db, objects, clock });
  const ids = Array.from({ length: N }, (_, i) => ASOS_STATIONS[i]?.id ?? `custom-${i}`);
  for (const id of ids) {
    clock.advance(1000);
    const version = await registerTrained({ db, objects, clock }, id, trained);
    await registry.promote({ location: id, version, by: "bench" });
  }
  trained.fitted.booster.free();
  console.log(
    `model: ${DEFAULT_RECIPE.name}, ${trained.modelText.length.toLocaleString("en")} bytes of model text; ${N} locations registered (node ${process.version}, load ${loadavg()[0]!.toFixed(2)})`,
  );

  for (const maxModels of [N, Math.max(1, Math.floor(N / 2))]) {
    const cache = new ModelCache({ db, objects, clock, logger: memoryLogger() }, { checkIntervalMs: 60_000, maxModels });
    const before = memory();
    const t = performance.now();
    let trees = 0;
    for (const id of ids) trees = (await cache.get(id)).model.info.numTrees;
    const ms = performance.now() - t;
    const after = memory();
    const size = cache.size;
    console.log(
      `maxModels ${maxModels}: ${size.models} models in memory (${size.evictions} evicted), ${trees} trees each; loaded ${N} in ${fmt(ms)} ms (${fmt(ms / N)} ms each)\n` +
        `  rss ${fmt(before.rss)} -> ${fmt(after.rss)} MB (+${fmt(after.rss - before.rss)} MB, ${fmt(((after.rss - before.rss) * 1024) / size.models)} KB per model held)\n` +
        `  heap ${fmt(before.heap)} -> ${fmt(after.heap)} MB (+${fmt(after.heap - before.heap)} MB, ${fmt(((after.heap - before.heap) * 1024) / size.models)} KB per model held); external+arrayBuffers +${fmt(after.external - before.external)} MB`,
    );
  }
  db.close();
}

await main();
