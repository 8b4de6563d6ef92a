// Shared pieces of list(): the page limit rules and reading every page of a prefix.
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ListPageOptions, ObjectInfo, ObjectPage } from "../ports/object-store.ts";

export const MAX_LIST_LIMIT = 1000;

/** The page size to use; throws ObjectStoreError (`invalid-argument`) for a bad limit or cursor. */
export function pageLimit(prefix: string, options: ListPageOptions | undefined): number {
  const limit = options?.limit ?? MAX_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new ObjectStoreError("list", prefix, `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${String(limit)}`, { code: "invalid-argument" });
  }
  const cursor = options?.cursor;
  if (cursor !== undefined && (typeof cursor !== "string" || cursor === "")) {
    throw new ObjectStoreError("list", prefix, "cursor must be a non-empty string from a previous page", { code: "invalid-argument" });
  }
  return limit;
}

/** Reads every page of a prefix. */
export async function listAllPages(listPage: (prefix: string, options?: ListPageOptions) => Promise<ObjectPage>, prefix: string): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  let cursor: string | undefined;
  do {
    const page: ObjectPage = await listPage(prefix, cursor === undefined ? {} : { cursor });
    all.push(...page.objects);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return all;
}
