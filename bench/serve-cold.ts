// Child of bench/serve.bench.ts, one fresh process per sample: how long from nothing to the first
// forecast with the serving code (as in a fresh Worker isolate, measured here in a fresh Node process) — module loading of the app graph, building the app, reading the
// production pointer, fetching and checking both artifacts (SHA-256), parsing the model, reading the
// observation window and computing the first forecast. The database is a local libSQL file and the
// artifacts are in a memory object store, so no network round trip is counted (in the Worker each database or R2
// read adds its round trip to these figures). Prints one JSON line.
const t0 = performance.now();
// COLD_BUNDLE: the app as one esbuild bundle (like the Worker's script); otherwise from the sources.
const entry = (
  process.env.COLD_BUNDLE ? await import(process.env.COLD_BUNDLE) : await import("./serve-cold-entry.ts")
) as typeof import("./serve-cold-entry.ts");
const { createApp, createServing, DEFAULT_SERVING_CONFIG, DEFAULT_LOCATIONS, fixedClock, silentLogger } = entry;
const tImported = performance.now();

// Opened before the clock starts again (a deployed Worker's database and R2 already exist): the
// seeded data folder's libSQL file (queries run in-process, no network round trip) and its artifacts.
const { createClient } = await import("@libsql/client");
const { createLocalObjectStore } = await import("../src/adapters/node/local-object-store.ts");
const { createMemoryObjectStore } = await import("../src/storage/memory-object-store.ts");
const dir = process.env.COLD_DATA_DIR;
const at = process.env.COLD_AT;
if (!dir || !at) throw new Error("COLD_DATA_DIR and COLD_AT must be set (run bench/serve.bench.ts)");
const db = createClient({ url: `file:${dir}/nalssi.db` });
// The artifacts are copied into a memory object store (a get is then what an R2 binding's is
// without its network time; the Node folder adapter's file and metadata reads are not the Worker's).
const folder = createLocalObjectStore(`${dir}/objects`);
const objects = createMemoryObjectStore();
for (const o of await folder.list("models/")) {
  // COLD_TEXT_ONLY: leave the compiled model out, so serving parses model.txt (the fallback path).
  if (process.env.COLD_TEXT_ONLY && o.key.endsWith("/model.bin")) continue;
  const got = (await folder.get(o.key))!;
  await objects.put(o.key, got.body, { ...(got.contentType ? { contentType: got.contentType } : {}), metadata: got.metadata });
}
const clock = fixedClock(at);
// Start the native libSQL binding outside the measurement: a Worker's database client is fetch.
await db.execute("SELECT 1");

const t1 = performance.now();
const serving = createServing({ db, objects, clock, logger: silentLogger }, { ...DEFAULT_SERVING_CONFIG, forecastCacheSeconds: 0 });
const app = createApp({ db, objects, clock, logger: silentLogger, locations: DEFAULT_LOCATIONS, defaultLocation: "seoul", ...serving, jobs: {} });
const tApp = performance.now();
const res = await app.request(`/v1/forecast?at=${at}`);
const tFirst = performance.now();
if (res.status !== 200) throw new Error(`first forecast: HTTP ${res.status} ${await res.text()}`);
const body = (await res.json()) as { hourly: { temperature_2m: number[] }; model: { version: string } };
const served = (await (await app.request("/v1/models?location=seoul")).json()) as { serving: { loadMs: number }[] };
const modelLoadMs = served.serving[0]!.loadMs;
const t2 = performance.now();
const res2 = await app.request(`/v1/forecast?at=${at}`);
await res2.json();
const tSecond = performance.now() - t2;
console.log(
  JSON.stringify({
    import_ms: tImported - t0,
    build_app_ms: tApp - t1,
    first_forecast_ms: tFirst - tApp,
    model_load_ms: modelLoadMs,
    warm_forecast_ms: tSecond,
    total_ms: tImported - t0 + (tFirst - t1),
    temperature_24h_c: body.hourly.temperature_2m[23],
    version: body.model.version,
  }),
);
db.close();
