// Methods a fetch Request cannot carry (TRACE, CONNECT) through the node:http adapter and the real
// app: 405 JSON with Allow, not the 500 that `new Request({method: "TRACE"})` used to cause.
import { request } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApp } from "../../http/app.ts";
import { DEFAULT_LOCATIONS } from "../../locations/locations.ts";
import { fixedClock } from "../../ports/clock.ts";
import { silentLogger } from "../../ports/logger.ts";
import { createServing, DEFAULT_SERVING_CONFIG } from "../../serving/index.ts";
import { createMemoryObjectStore } from "../../storage/memory-object-store.ts";
import { openMigratedMemoryDb } from "../../tracking/testing/seed.ts";
import { type RunningServer, startNodeServer } from "./http-server.ts";

let server: RunningServer;
let close: () => void;
beforeAll(async () => {
  const db = await openMigratedMemoryDb();
  const objects = createMemoryObjectStore();
  const clock = fixedClock("2025-05-29T00:00:00Z");
  const deps = { db, objects, clock, logger: silentLogger };
  const app = createApp({ ...deps, locations: DEFAULT_LOCATIONS, defaultLocation: "seoul", ...createServing(deps, DEFAULT_SERVING_CONFIG), jobs: {} });
  server = await startNodeServer({ fetch: (r) => app.fetch(r), port: 0 });
  close = () => db.close();
});
afterAll(async () => {
  await server?.close();
  close?.();
});

function send(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

it("TRACE on any route is 405 JSON with Allow; on an unknown path 404 JSON", async () => {
  for (const [path, allow] of [
    ["/v1/forecast", "GET, HEAD"],
    ["/healthz", "GET, HEAD"],
    ["/v1/predict", "POST"],
    ["/v1/models/20250101T000000Z/promote", "POST"],
    ["/dashboard", "GET, HEAD"],
  ] as const) {
    const r = await send("TRACE", path);
    expect({ path, status: r.status, allow: r.headers.allow, type: r.headers["content-type"] }).toEqual({
      path,
      status: 405,
      allow,
      type: expect.stringMatching(/^application\/json/),
    });
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: "method_not_allowed", details: { allow: allow.split(", ") } } });
  }
  const none = await send("TRACE", "/nothing-here");
  expect(none.status).toBe(404);
  expect(JSON.parse(none.body)).toMatchObject({ error: { code: "not_found" } });
});
