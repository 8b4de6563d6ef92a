// Raw KMA payloads in the object store, exactly as received (the client already replaced any echo of
// the service key with ***): one object per response page.
//
//   page 1:  raw/kma/{operation}/{location}/{YYYY-MM-DD}/{HHmm}.json     (rawKmaKey, src/storage/keys.ts)
//   page n:  raw/kma/{operation}/{location}/{YYYY-MM-DD}/{HHmm}.p{n}.json (only when KMA paged)
//
// The date and time are the request's base_date/base_time in KST (for ASOS: the KST day asked for,
// 0000). Keys are deterministic, so fetching the same issue again lands on the same objects; an
// identical body is not rewritten. Rows point at the page-1 key (raw_ref).
import type { RawPage } from "../kma/client.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { rawKmaKey } from "../storage/keys.ts";
import type { RawKmaKeyParts } from "../storage/keys.ts";
import { putIfChanged } from "./put-if-changed.ts";

export function rawPageKey(parts: RawKmaKeyParts, pageNo: number): string {
  const key = rawKmaKey(parts);
  if (!Number.isInteger(pageNo) || pageNo < 1) throw new RangeError(`page number must be an integer >= 1, got ${pageNo}`);
  return pageNo === 1 ? key : key.replace(/\.json$/, `.p${pageNo}.json`);
}

export interface StoredRawPages {
  /** Every page's key, page 1 first. */
  keys: string[];
  /** Keys actually written (the others held the same bytes already). */
  written: string[];
}

export async function storeRawPages(store: ObjectStore, parts: RawKmaKeyParts, pages: readonly RawPage[]): Promise<StoredRawPages> {
  if (pages.length === 0) throw new RangeError("no KMA pages to store");
  const keys: string[] = [];
  const written: string[] = [];
  for (const page of pages) {
    const key = rawPageKey(parts, page.pageNo);
    const outcome = await putIfChanged(store, key, page.body, {
      contentType: page.contentType || "application/octet-stream",
      metadata: {
        "kma-operation": parts.api,
        "kma-url": page.url,
        "http-status": String(page.status),
        "received-at": page.receivedAt,
      },
    });
    keys.push(key);
    if (outcome === "written") written.push(key);
  }
  return { keys, written };
}
