// Temporary files a killed put left in folders no later put visits are swept by age, anywhere
// under the root; fresh ones (a put in progress) and objects are left alone.
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { createLocalObjectStore, sweepTemporaryFiles } from "./local-object-store.ts";
import { tempName } from "./local-object-store-layout.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

it("removes temporary files older than the bound, at any depth, and nothing else", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "nalssi-sweep-"));
  dirs.push(root);
  const store = createLocalObjectStore(root);
  await store.put("csv/observations/seoul/2018/2018-01-01.csv", "a,b\n");
  const now = Date.now();
  const folder = path.join(root, "csv", "observations", "seoul", "2018");
  const old = [
    tempName("2018-01-02.csv", "body", now - 10 * 60_000, "0123456789abcdef"),
    tempName("2018-01-02.csv", "meta", now - 10 * 60_000, "fedcba9876543210"),
  ];
  const fresh = tempName("2018-01-03.csv", "body", now - 5_000, "00112233445566aa");
  for (const f of [...old, fresh]) await writeFile(path.join(folder, f), "partial");
  await mkdir(path.join(root, "raw"), { recursive: true });
  const deep = tempName("x.json", "body", now - 60 * 60_000, "aabbccddeeff0011");
  await writeFile(path.join(root, "raw", deep), "partial");

  expect(await sweepTemporaryFiles(root, 5 * 60_000, now)).toBe(3);
  const left = await readdir(folder);
  expect(left).toContain(fresh);
  for (const f of old) expect(left).not.toContain(f);
  expect(await readdir(path.join(root, "raw"))).toEqual([]);
  expect(new TextDecoder().decode((await store.get("csv/observations/seoul/2018/2018-01-01.csv"))!.body)).toBe("a,b\n");
  expect(await sweepTemporaryFiles(path.join(root, "missing"), 0)).toBe(0);
});
