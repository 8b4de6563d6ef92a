// An ObjectStore in a local folder, for Node and Deno (node:fs/promises). Layout and file names:
// ./local-object-store-layout.ts.
//
// put(key) is atomic and leaves no torn object, also with concurrent writers and crashes:
//   1. the body goes to a temporary file in the key's folder (exclusive create, fsync);
//   2. the sidecar for that body (named by the body's SHA-256) is written to a temporary file,
//      fsynced and renamed into place — it describes only those exact bytes, so it may appear
//      before the body does;
//   3. the temporary body is renamed over `<root>/<key>` (atomic), then the folder is fsynced.
// A reader reads the body, hashes it and reads that hash's sidecar, so body, content type and
// metadata always come from the same put. A crash before step 3 leaves the previous object as it
// was (the leftovers are `.~` files, never listed, removed by later puts once stale).
//
// Limits of the folder store (R2 has none of these): a key cannot also be a folder of other keys
// (`a` and `a/b`: ObjectStoreError `conflict`); key segments are at most 170 UTF-8 bytes; on
// case-insensitive file systems (macOS, Windows) keys differing only in case are the same object.
import { mkdir, open, readFile, readdir, rename, rmdir, stat, unlink, utimes } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { ObjectStoreError } from "../../ports/object-store.ts";
import type { ListPageOptions, ObjectInfo, ObjectPage, ObjectStore, ObjectStoreOperation, PutOptions, StoredObject } from "../../ports/object-store.ts";
import { systemClock } from "../../ports/clock.ts";
import type { Clock } from "../../ports/clock.ts";
import { silentLogger } from "../../ports/logger.ts";
import type { Logger } from "../../ports/logger.ts";
import { assertListPrefix, assertObjectKey, compareKeys, objectKeyProblem } from "../../storage/object-key.ts";
import { listAllPages, pageLimit } from "../../storage/list-pages.ts";
import { normalizePut } from "../../storage/put-input.ts";
import { randomHex } from "../../ids/random.ts";
import { sha256Hex } from "../../ids/sha256.ts";
import {
  MAX_LOCAL_SEGMENT_BYTES,
  SIDECAR_FORMAT,
  isInternalEntry,
  keyPaths,
  parseInternalName,
  parseSidecar,
  sidecarName,
  tempName,
} from "./local-object-store-layout.ts";
import type { KeyPaths, SidecarRecord } from "./local-object-store-layout.ts";

export interface LocalObjectStoreOptions {
  /** Source of `uploaded` times (default: the system clock). */
  clock?: Clock;
  /** Temporary files and superseded sidecars older than this are removed by later puts (default 10 minutes). */
  staleAfterMs?: number;
  /** Told about housekeeping that failed after a successful put (default: silent). */
  logger?: Logger;
}

type ErrnoError = Error & { code?: string };

const errno = (e: unknown): string | undefined => (e instanceof Error ? (e as ErrnoError).code : undefined);
const WINDOWS = process.platform === "win32";
// Faults that may pass: busy or locked files, too many open files, interrupted calls. On Windows,
// renaming over a file another process has open fails with EPERM/EACCES until it is closed.
const TRANSIENT = new Set(["EAGAIN", "EBUSY", "EMFILE", "ENFILE", "ETIMEDOUT", "EINTR", ...(WINDOWS ? ["EPERM", "EACCES"] : [])]);
// fsync of a folder is not supported everywhere (Windows, some network file systems).
const FOLDER_SYNC_UNSUPPORTED = new Set(["EISDIR", "EINVAL", "ENOTSUP", "EOPNOTSUPP", "EPERM", "EBADF"]);
const encoder = new TextEncoder();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createLocalObjectStore(rootFolder: string, options: LocalObjectStoreOptions = {}): ObjectStore {
  if (typeof rootFolder !== "string" || rootFolder === "") throw new TypeError("createLocalObjectStore: the root folder is required");
  const root = path.resolve(rootFolder);
  const clock = options.clock ?? systemClock;
  const staleAfterMs = options.staleAfterMs ?? 10 * 60_000;
  const logger = options.logger ?? silentLogger;

  function fault(operation: ObjectStoreOperation, key: string, error: unknown, doing: string): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error;
    const code = errno(error);
    const message = error instanceof Error ? error.message : String(error);
    return new ObjectStoreError(operation, key, `${doing} failed: ${message}`, {
      code: "storage",
      transient: code !== undefined && TRANSIENT.has(code),
      cause: error,
    });
  }

  function checkKey(operation: ObjectStoreOperation, key: string): KeyPaths {
    assertObjectKey(operation, key);
    const long = key.split("/").find((s) => encoder.encode(s).length > MAX_LOCAL_SEGMENT_BYTES);
    if (long !== undefined) {
      throw new ObjectStoreError(
        operation,
        key,
        `invalid key: segment "${long.slice(0, 20)}…" is longer than ${MAX_LOCAL_SEGMENT_BYTES} bytes (UTF-8), the local folder store's limit`,
        {
          code: "invalid-key",
        },
      );
    }
    return keyPaths(root, key);
  }

  /** The shortest key prefix of `key` that is stored as an object (a file), if any. */
  async function objectAncestor(key: string): Promise<string | undefined> {
    const segments = key.split("/");
    for (let i = 1; i < segments.length; i++) {
      const candidate = segments.slice(0, i).join("/");
      const s = await stat(path.join(root, ...segments.slice(0, i))).catch(() => undefined);
      if (s === undefined) return undefined;
      if (!s.isDirectory()) return candidate;
    }
    return undefined;
  }

  async function conflictUnderneath(key: string): Promise<ObjectStoreError | undefined> {
    const ancestor = await objectAncestor(key);
    if (ancestor === undefined) return undefined;
    return new ObjectStoreError(
      "put",
      key,
      `conflicts with the object ${JSON.stringify(ancestor)}: the local folder store cannot hold both ${JSON.stringify(ancestor)} and keys under "${ancestor}/"`,
      {
        code: "conflict",
      },
    );
  }

  async function syncFolder(dir: string): Promise<void> {
    let handle;
    try {
      handle = await open(dir, "r");
    } catch (e) {
      if (FOLDER_SYNC_UNSUPPORTED.has(errno(e) ?? "")) return;
      throw e;
    }
    try {
      await handle.sync();
    } catch (e) {
      if (!FOLDER_SYNC_UNSUPPORTED.has(errno(e) ?? "")) throw e;
    } finally {
      await handle.close();
    }
  }

  /** Creates `file` (which must not exist), writes it whole and fsyncs it. */
  async function writeNewFile(file: string, bytes: Uint8Array, mtime?: Date): Promise<void> {
    const handle = await open(file, "wx", 0o644);
    try {
      await handle.writeFile(bytes);
      if (mtime) {
        // Seconds as a float, half a millisecond in: file systems and runtimes keep mtimes at
        // different precisions, and reading back with Math.floor then gives the same millisecond.
        const seconds = (mtime.getTime() + 0.5) / 1000;
        await handle.utimes(seconds, seconds);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** A new temporary file in p.dir holding `bytes`; creates the folder, and again if a delete removed it meanwhile. */
  async function writeTemp(key: string, p: KeyPaths, kind: "body" | "meta", bytes: Uint8Array, mtime?: Date): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const file = path.join(p.dir, tempName(p.name, kind, Date.now(), randomHex(8)));
      try {
        await writeNewFile(file, bytes, mtime);
        return file;
      } catch (e) {
        const code = errno(e);
        if (code === "ENOENT" && attempt <= 3) {
          try {
            await mkdir(p.dir, { recursive: true });
          } catch (m) {
            const c = errno(m);
            if (c === "ENOTDIR" || c === "EEXIST") throw (await conflictUnderneath(key)) ?? m;
            throw m;
          }
          continue;
        }
        await unlink(file).catch(() => undefined);
        if (code === "ENOTDIR") throw (await conflictUnderneath(key)) ?? e;
        throw e;
      }
    }
  }

  /** Writes the sidecar of `record` atomically (temporary file, fsync, rename). */
  async function writeSidecar(key: string, p: KeyPaths, record: SidecarRecord): Promise<string> {
    const target = path.join(p.dir, sidecarName(p.name, record.sha256));
    const temp = await writeTemp(key, p, "meta", encoder.encode(JSON.stringify(record)));
    try {
      await rename(temp, target);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
    return target;
  }

  /** Removes this key's temporary files and superseded sidecars that are older than staleAfterMs. */
  async function collectGarbage(key: string, p: KeyPaths, keepSha: string): Promise<void> {
    const now = Date.now();
    for (const entry of await readdir(p.dir)) {
      const internal = parseInternalName(entry, p.name);
      if (!internal) continue;
      const file = path.join(p.dir, entry);
      if (internal.kind === "temp") {
        if (now - internal.createdMs <= staleAfterMs) continue;
      } else {
        if (internal.sha256 === keepSha) continue;
        const s = await stat(file).catch(() => undefined);
        if (!s || now - s.mtimeMs <= staleAfterMs) continue;
      }
      await unlink(file).catch((e: unknown) => {
        if (errno(e) !== "ENOENT") throw e;
      });
      logger.debug("object store removed a stale file", { key, file: entry });
    }
  }

  async function readSidecar(key: string, p: KeyPaths, sha: string, size: number): Promise<SidecarRecord | undefined> {
    let text: string;
    try {
      text = await readFile(path.join(p.dir, sidecarName(p.name, sha)), "utf8");
    } catch (e) {
      if (errno(e) === "ENOENT") return undefined;
      throw e;
    }
    const record = parseSidecar(text);
    const problem =
      typeof record === "string"
        ? record
        : record.key !== key
          ? `sidecar belongs to key ${JSON.stringify(record.key)}`
          : record.sha256 !== sha || record.size !== size
            ? "sidecar describes different bytes than the body"
            : undefined;
    if (problem !== undefined) throw new ObjectStoreError("get", key, `integrity: ${problem}`, { code: "integrity" });
    return record as SidecarRecord;
  }

  async function listPage(prefix: string, pageOptions?: ListPageOptions): Promise<ObjectPage> {
    assertListPrefix(prefix);
    const limit = pageLimit(prefix, pageOptions);
    const after = pageOptions?.cursor;
    const cut = prefix.lastIndexOf("/") + 1;
    const folderKey = prefix.slice(0, cut);
    const objects: ObjectInfo[] = [];

    // Depth-first, each folder's entries sorted with "/" appended to sub-folder names: that visits
    // keys in exactly compareKeys order, so a page can stop as soon as it is full.
    async function walk(dir: string, keyPrefix: string, nameStart: string): Promise<boolean> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        const code = errno(e);
        if (code === "ENOENT" || code === "ENOTDIR") return false;
        throw e;
      }
      const items = entries
        .filter((d) => !isInternalEntry(d.name) && d.name.startsWith(nameStart) && (d.isFile() || d.isDirectory()))
        .map((d) => ({ name: d.name, folder: d.isDirectory(), order: d.isDirectory() ? `${d.name}/` : d.name }))
        .sort((a, b) => compareKeys(a.order, b.order));
      for (const item of items) {
        const key = keyPrefix + item.name;
        if (item.folder) {
          const sub = `${key}/`;
          if (after !== undefined && compareKeys(after, sub) > 0 && !after.startsWith(sub)) continue;
          if (await walk(path.join(dir, item.name), sub, "")) return true;
          continue;
        }
        if (after !== undefined && compareKeys(key, after) <= 0) continue;
        if (objectKeyProblem(key) !== undefined) continue; // not a file this store could have written
        const s = await stat(path.join(dir, item.name)).catch((e: unknown) => {
          if (errno(e) === "ENOENT") return undefined; // deleted meanwhile
          throw e;
        });
        if (!s?.isFile()) continue;
        objects.push({ key, size: s.size, uploaded: new Date(Math.floor(s.mtimeMs)) });
        if (objects.length > limit) return true;
      }
      return false;
    }

    try {
      await walk(path.join(root, ...folderKey.split("/").filter(Boolean)), folderKey, prefix.slice(cut));
    } catch (e) {
      throw fault("list", prefix, e, "reading the folder");
    }
    if (objects.length <= limit) return { objects, cursor: undefined };
    const page = objects.slice(0, limit);
    return { objects: page, cursor: page[page.length - 1]?.key };
  }

  const store: ObjectStore = {
    async put(key: string, body: Uint8Array | string, putOptions?: PutOptions): Promise<void> {
      const p = checkKey("put", key);
      const { bytes, contentType, metadata } = normalizePut(key, body, putOptions);
      const sha = await sha256Hex(bytes);
      const uploaded = new Date(clock.now().getTime());
      const record: SidecarRecord = {
        format: SIDECAR_FORMAT,
        key,
        sha256: sha,
        size: bytes.length,
        contentType: contentType ?? null,
        metadata,
        uploaded: uploaded.toISOString(),
      };
      let bodyTemp: string | undefined;
      let sidecar: string;
      try {
        bodyTemp = await writeTemp(key, p, "body", bytes, uploaded);
        sidecar = await writeSidecar(key, p, record);
        try {
          await rename(bodyTemp, p.body);
        } catch (e) {
          const code = errno(e);
          if (
            code === "EISDIR" ||
            code === "ENOTEMPTY" ||
            code === "EEXIST" ||
            (code === "EPERM" && (await stat(p.body).catch(() => undefined))?.isDirectory())
          ) {
            await unlink(sidecar).catch(() => undefined); // describes an object that will not exist
            throw new ObjectStoreError(
              "put",
              key,
              `conflicts with existing keys under "${key}/": the local folder store cannot hold both ${JSON.stringify(key)} and keys under "${key}/"`,
              {
                code: "conflict",
              },
            );
          }
          throw e;
        }
        bodyTemp = undefined;
        await syncFolder(p.dir);
        // Refresh the sidecar's mtime so no other writer's housekeeping takes it for stale; if a
        // concurrent delete or housekeeping removed it after our rename, write it again.
        const now = new Date();
        await utimes(sidecar, now, now).catch(async (e: unknown) => {
          if (errno(e) !== "ENOENT") throw e;
          if ((await stat(p.body).catch(() => undefined)) === undefined) return; // deleted after our put: fine
          await writeSidecar(key, p, record);
        });
      } catch (e) {
        throw fault("put", key, e, "writing");
      } finally {
        if (bodyTemp !== undefined) await unlink(bodyTemp).catch(() => undefined); // best effort; stale temps are collected later
      }
      try {
        await collectGarbage(key, p, sha);
      } catch (e) {
        // The object is stored; only housekeeping failed, and the next put retries it.
        logger.warn("object store housekeeping failed after a put", { key, error: e instanceof Error ? e.message : String(e) });
      }
    },

    async get(key: string): Promise<StoredObject | null> {
      const p = checkKey("get", key);
      try {
        let sha = "";
        for (let attempt = 0; attempt < 6; attempt++) {
          let body: Uint8Array;
          try {
            body = new Uint8Array(await readFile(p.body));
          } catch (e) {
            const code = errno(e);
            if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return null;
            throw e;
          }
          sha = await sha256Hex(body);
          const record = await readSidecar(key, p, sha, body.length);
          if (record) {
            return {
              key,
              body,
              size: body.length,
              uploaded: new Date(record.uploaded),
              contentType: record.contentType ?? undefined,
              metadata: { ...record.metadata },
              sha256: sha,
            };
          }
          // The body changed or is being written or deleted right now: read again shortly.
          await sleep(2 ** attempt);
        }
        throw new ObjectStoreError(
          "get",
          key,
          `integrity: the body (sha256 ${sha}) has no metadata sidecar; it was not written by the object store or its sidecar was removed; put the object again`,
          {
            code: "integrity",
          },
        );
      } catch (e) {
        throw fault("get", key, e, "reading");
      }
    },

    async head(key: string): Promise<ObjectInfo | null> {
      const p = checkKey("head", key);
      try {
        const s = await stat(p.body);
        if (!s.isFile()) return null;
        return { key, size: s.size, uploaded: new Date(Math.floor(s.mtimeMs)) };
      } catch (e) {
        const code = errno(e);
        if (code === "ENOENT" || code === "ENOTDIR") return null;
        throw fault("head", key, e, "reading");
      }
    },

    listPage,

    list(prefix = ""): Promise<ObjectInfo[]> {
      return listAllPages(listPage, prefix);
    },

    async delete(key: string): Promise<void> {
      const p = checkKey("delete", key);
      try {
        let entries: string[];
        try {
          entries = await readdir(p.dir);
        } catch (e) {
          const code = errno(e);
          if (code === "ENOENT" || code === "ENOTDIR") return;
          throw e;
        }
        // Sidecars first, then the body: a put racing with this delete either re-creates its
        // sidecar after its rename (see put) or has its body removed too; never a body without one.
        for (const entry of entries) {
          if (parseInternalName(entry, p.name)?.kind !== "sidecar") continue;
          await unlink(path.join(p.dir, entry)).catch((e: unknown) => {
            if (errno(e) !== "ENOENT") throw e;
          });
        }
        try {
          await unlink(p.body);
        } catch (e) {
          const code = errno(e);
          if (code === "ENOENT" || code === "ENOTDIR") return;
          // A folder holding other keys (EISDIR on Linux, EPERM on macOS, ENOTEMPTY in Deno):
          // there is no object with this key.
          if ((await stat(p.body).catch(() => undefined))?.isDirectory()) return;
          throw e;
        }
        await syncFolder(p.dir);
      } catch (e) {
        throw fault("delete", key, e, "removing");
      }
      // Remove folders left empty, up to the root; a concurrent put re-creates what it needs.
      for (let dir = p.dir; dir !== root && dir.startsWith(root); dir = path.dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break; // not empty (ENOTEMPTY/EEXIST), gone already, or in use: leave it
        }
      }
    },
  };
  return store;
}

/**
 * Removes the temporary files (`.~<name>.<time>-<random>[.meta].tmp`) older than `olderThanMs` from
 * the whole folder: what puts killed mid-write left behind in folders no later put visits. A put in
 * progress is never older than the bound (its temp file lives for the length of one write).
 * Returns how many were removed; a file that vanished meanwhile is not an error.
 */
export async function sweepTemporaryFiles(rootFolder: string, olderThanMs: number, now: number = Date.now()): Promise<number> {
  let removed = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (errno(e) === "ENOENT" || errno(e) === "ENOTDIR") return;
      throw e;
    }
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(file);
        continue;
      }
      const temp = TEMP_FILE.exec(entry.name);
      if (!temp || !isInternalEntry(entry.name)) continue;
      const createdMs = parseInt(temp[1]!, 36);
      if (!(now - createdMs > olderThanMs)) continue;
      try {
        await unlink(file);
        removed++;
      } catch (e) {
        if (errno(e) !== "ENOENT") throw e;
      }
    }
  };
  await walk(path.resolve(rootFolder));
  return removed;
}

const TEMP_FILE = /\.([0-9a-z]{1,11})-[0-9a-f]{16}(?:\.meta)?\.tmp$/;
