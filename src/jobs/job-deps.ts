// What every data job (ingest, backfill, import) runs against: the ports, nothing runtime-specific.
// The CLI builds these from --data-dir / LIBSQL_URL (Node, Deno), the Worker from its bindings.
import type { Clock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Logger } from "../ports/logger.ts";
import type { ObjectStore } from "../ports/object-store.ts";

export interface JobDeps {
  /** libSQL with migrations applied. */
  db: Database;
  /** Raw payloads and CSV partitions (src/storage/keys.ts). */
  objects: ObjectStore;
  clock: Clock;
  logger: Logger;
  /**
   * Removes secrets (the KMA service key in every encoding, the libSQL token) from text before it is
   * stored in an ingest-run row or logged. Default: identity.
   */
  redact?: (text: string) => string;
}

export const identityRedact = (text: string): string => text;
