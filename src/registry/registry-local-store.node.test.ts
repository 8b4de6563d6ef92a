// Promotion over the local folder object store (what `nalssi serve` uses): a model.txt overwritten
// in the folder, so that its bytes no longer match the store's sidecar, is an artifact-integrity
// refusal (HTTP 409 artifact_integrity), like a checksum that differs from the registered one.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { createLocalObjectStore } from "../adapters/node/local-object-store.ts";
import { toErrorResponse } from "../http/api-errors.ts";
import { fixedClock } from "../ports/clock.ts";
import { ArtifactIntegrityError } from "../tracking/errors.ts";
import { openMigratedMemoryDb, seedRun } from "../tracking/testing/seed.ts";
import { Tracker } from "../tracking/tracker.ts";
import { Registry } from "./registry.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it("a model.txt overwritten in the folder store is refused as artifact_integrity (409), not a 500", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "nalssi-registry-local-"));
  dirs.push(dir);
  const db = await openMigratedMemoryDb();
  const objects = createLocalObjectStore(dir);
  const clock = fixedClock("2025-05-29T18:30:00Z");
  const tracker = new Tracker({ db, objects, clock });
  const registry = new Registry({ db, objects, clock });
  const v = await registry.register(await seedRun(tracker, { rmse: 1.8, persistenceRmse: 2.2 }));
  await writeFile(path.join(dir, ...v.model.key.split("/")), "tree\nversion=v4\n# overwritten by hand\n");
  const err = await registry.promote({ location: "seoul", version: v.version, by: "kim" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ArtifactIntegrityError);
  expect((err as Error).message).toMatch(/integrity check: .*no metadata sidecar/);
  expect(toErrorResponse(err)).toMatchObject({ status: 409, body: { error: { code: "artifact_integrity" } }, internal: false });
  expect(await registry.getProduction("seoul")).toBeNull();
  db.close();
});
