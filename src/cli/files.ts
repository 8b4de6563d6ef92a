// File helpers for CLI commands (Node and Deno): read with a clear error, write atomically.
import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${what} ${path} does not exist`);
    if (code === "EISDIR") throw new Error(`${what} ${path} is a directory`);
    throw new Error(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** Writes to a temporary file next to the target, then renames it: readers never see half a file. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, text, { flush: true });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}
