// What a cold start loads to serve (bench/serve-cold.ts imports this from source, or as one bundle
// built with esbuild the way wrangler bundles the Worker).
export { createApp } from "../src/http/app.ts";
export { createServing, DEFAULT_SERVING_CONFIG } from "../src/serving/index.ts";
export { DEFAULT_LOCATIONS } from "../src/locations/locations.ts";
export { fixedClock } from "../src/ports/clock.ts";
export { silentLogger } from "../src/ports/logger.ts";
