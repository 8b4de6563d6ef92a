// vitest globalSetup for the workerd project: starts the KMA mock (test/kma-mock, with the jobs'
// nowcast dataset) and a Hrana dev server on a fresh database file of its own in the Node process
// that runs vitest, and provides their URLs to the tests inside workerd. The migration tests keep the
// other dev server (tools/hrana-dev-server/vitest-global-setup.ts) to themselves: they need a fresh
// database and end with a schema newer than the code.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startHranaDevServer } from "../../tools/hrana-dev-server/server.ts";
import { startKmaMock } from "../kma-mock/server.ts";
import { ASOS_STATIONS } from "../../src/locations/asos-catalog.ts";
import { gridMockDatasets, jobMockDatasets } from "./mock-datasets.ts";
import type {} from "./provided-context.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const mock = await startKmaMock({ extraDatasets: jobMockDatasets() });
  const dir = await mkdtemp(join(tmpdir(), "nalssi-workerd-jobs-"));
  const token = randomBytes(16).toString("hex");
  const db = await startHranaDevServer({ dbPath: join(dir, "jobs.db"), port: 0, token });
  // A third fresh database, for the serving test (src/adapters/workers/serving.workerd.test.ts): it registers and
  // promotes models and stores observations, which the jobs' and migrations' tests must not see.
  const servingDb = await startHranaDevServer({ dbPath: join(dir, "serving.db"), port: 0, token });
  // For the scaling test (src/adapters/workers/ingest-queue.workerd.test.ts): a KMA mock that answers
  // at the grid point of every ASOS station, and a database of its own.
  const scaleMock = await startKmaMock({ extraDatasets: gridMockDatasets(ASOS_STATIONS) });
  const scaleDb = await startHranaDevServer({ dbPath: join(dir, "scale.db"), port: 0, token });
  project.provide("scaleKmaMockUrl", scaleMock.baseUrl);
  project.provide("scaleDbUrl", scaleDb.url);
  project.provide("kmaMockUrl", mock.baseUrl);
  project.provide("kmaMockServiceKey", mock.serviceKey);
  project.provide("jobsDbUrl", db.url);
  project.provide("jobsDbToken", token);
  project.provide("servingDbUrl", servingDb.url);
  return async () => {
    await Promise.all([mock.close(), db.close(), servingDb.close(), scaleMock.close(), scaleDb.close()]);
    await rm(dir, { recursive: true, force: true });
  };
}
