// Where the local folder store keeps an object's files (Node and Deno, via node:path).
//
// The body of key `a/b/c.json` is the plain file `<root>/a/b/c.json`, byte for byte what was put,
// so the folder can be browsed and read by other tools. Beside it, in the same folder, the store
// keeps files whose names start with `.~` (a segment prefix keys may not use):
//   - `.~c.json.<sha256>.meta.json`  the sidecar: content type, metadata, size and upload time of
//     the body whose SHA-256 is <sha256>. Naming it by the body's hash pairs body and metadata
//     without a lock: a reader hashes the body it read and opens that body's own sidecar.
//   - `.~c.json.<time>-<random>.tmp` and `.~c.json.<time>-<random>.meta.tmp`  a writer's
//     temporary body and sidecar (renamed into place, or left behind only by a crash); <time> is
//     the wall-clock ms of creation in base 36, so stale ones can be recognised and removed.
import path from "node:path";
import { RESERVED_SEGMENT_PREFIX } from "../../storage/object-key.ts";

/** Longest key segment (UTF-8 bytes) this store takes: the sidecar name adds 77 bytes and file names stop at 255. */
export const MAX_LOCAL_SEGMENT_BYTES = 170;

export const SIDECAR_FORMAT = "nalssi-object-meta/1";

export interface KeyPaths {
  /** The folder holding the body and its sidecars. */
  dir: string;
  /** The last key segment: the body's file name. */
  name: string;
  /** The body file. */
  body: string;
}

export function keyPaths(root: string, key: string): KeyPaths {
  const segments = key.split("/");
  const name = segments[segments.length - 1] ?? key;
  const dir = path.join(root, ...segments.slice(0, -1));
  return { dir, name, body: path.join(dir, name) };
}

export function sidecarName(name: string, sha256: string): string {
  return `${RESERVED_SEGMENT_PREFIX}${name}.${sha256}.meta.json`;
}

export function tempName(name: string, kind: "body" | "meta", createdMs: number, random: string): string {
  return `${RESERVED_SEGMENT_PREFIX}${name}.${createdMs.toString(36)}-${random}${kind === "meta" ? ".meta" : ""}.tmp`;
}

export type InternalFile = { kind: "sidecar"; sha256: string } | { kind: "temp"; createdMs: number };

const SIDECAR_REST = /^([0-9a-f]{64})\.meta\.json$/;
const TEMP_REST = /^([0-9a-z]{1,11})-[0-9a-f]{16}(?:\.meta)?\.tmp$/;

/** What a folder entry is for the object named `name`, or undefined when it is not one of its files. */
export function parseInternalName(entry: string, name: string): InternalFile | undefined {
  const lead = `${RESERVED_SEGMENT_PREFIX}${name}.`;
  if (!entry.startsWith(lead)) return undefined;
  const rest = entry.slice(lead.length);
  const sidecar = SIDECAR_REST.exec(rest);
  if (sidecar) return { kind: "sidecar", sha256: sidecar[1] as string };
  const temp = TEMP_REST.exec(rest);
  if (temp) return { kind: "temp", createdMs: parseInt(temp[1] as string, 36) };
  return undefined;
}

export function isInternalEntry(entry: string): boolean {
  return entry.startsWith(RESERVED_SEGMENT_PREFIX);
}

/** The sidecar's JSON. */
export interface SidecarRecord {
  format: typeof SIDECAR_FORMAT;
  key: string;
  sha256: string;
  size: number;
  contentType: string | null;
  metadata: Record<string, string>;
  /** ISO 8601 UTC. */
  uploaded: string;
}

/** Parses and checks a sidecar; returns a problem description instead when it is not a valid one. */
export function parseSidecar(text: string): SidecarRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "sidecar is not valid JSON";
  }
  const r = value as Partial<SidecarRecord> | null;
  if (r === null || typeof r !== "object") return "sidecar is not a JSON object";
  if (r.format !== SIDECAR_FORMAT) return `sidecar format is ${JSON.stringify(r.format)}, expected ${JSON.stringify(SIDECAR_FORMAT)}`;
  if (typeof r.key !== "string") return "sidecar has no key";
  if (typeof r.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(r.sha256)) return "sidecar has no sha256";
  if (typeof r.size !== "number" || !Number.isInteger(r.size) || r.size < 0) return "sidecar has no size";
  if (r.contentType !== null && typeof r.contentType !== "string") return "sidecar contentType is not a string";
  if (r.metadata === null || typeof r.metadata !== "object" || Array.isArray(r.metadata) || Object.values(r.metadata).some((v) => typeof v !== "string")) {
    return "sidecar metadata is not an object of strings";
  }
  if (typeof r.uploaded !== "string" || Number.isNaN(Date.parse(r.uploaded))) return "sidecar has no upload time";
  return r as SidecarRecord;
}
