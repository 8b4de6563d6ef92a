// vitest globalSetup for the workerd project: starts a Hrana dev server on a fresh database file in
// the Node process that runs vitest, and provides its URL and token to the tests inside workerd
// (`inject("hranaDevServerUrl")`). Stopped and deleted when the run ends.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startHranaDevServer } from "./server.ts";
import type {} from "./provided-context.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), "nalssi-workerd-db-"));
  const token = randomBytes(16).toString("hex");
  const server = await startHranaDevServer({ dbPath: join(dir, "workerd.db"), port: 0, token });
  project.provide("hranaDevServerUrl", server.url);
  project.provide("hranaDevServerToken", token);
  return async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
}
