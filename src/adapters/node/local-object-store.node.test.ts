// Writers in separate processes (a CLI run and a scheduled ingest, say) share one folder: no torn
// object, whatever the interleaving, while this process keeps reading.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalObjectStore } from "./local-object-store.ts";

const storeModule = fileURLToPath(new URL("./local-object-store.ts", import.meta.url));
const folders: string[] = [];
afterAll(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

/** A child process that puts `rounds` versions of one key; writer w's bodies are all byte w+1. */
function writer(root: string, w: number, rounds: number): Promise<void> {
  const code = `
    const { createLocalObjectStore } = await import(${JSON.stringify(storeModule)});
    const store = createLocalObjectStore(${JSON.stringify(root)});
    for (let r = 0; r < ${rounds}; r++) {
      const size = 1000 + ((${w} * 7919 + r * 104729) % 60000);
      await store.put("shared/partition.csv", new Uint8Array(size).fill(${w} + 1), { contentType: "text/x-writer-${w}", metadata: { writer: "${w}", round: String(r) } });
    }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (status) => (status === 0 ? resolve() : reject(new Error(`writer ${w} exited with ${status}: ${stderr}`))));
  });
}

describe("local folder store across processes", () => {
  it("four processes overwriting one key never leave or show a torn object", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "nalssi-objects-mp-"));
    folders.push(root);
    const store = createLocalObjectStore(root);
    let done = false;
    let reads = 0;
    let seen = 0;
    const writers = Promise.all([0, 1, 2, 3].map((w) => writer(root, w, 40))).finally(() => (done = true));
    while (!done) {
      const got = await store.get("shared/partition.csv");
      reads++;
      if (got) {
        seen++;
        const w = Number(got.metadata["writer"]);
        expect(got.contentType).toBe(`text/x-writer-${w}`);
        expect(got.body.length).toBe(1000 + ((w * 7919 + Number(got.metadata["round"]) * 104729) % 60000));
        expect(got.body.every((b) => b === w + 1)).toBe(true);
      }
    }
    await writers;
    expect(reads).toBeGreaterThan(0);
    expect(seen).toBeGreaterThan(0);
    const final = await store.get("shared/partition.csv");
    expect(final!.metadata["round"]).toBe("39");
    expect((await store.list()).map((o) => o.key)).toEqual(["shared/partition.csv"]);
  });
});
