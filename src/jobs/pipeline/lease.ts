// A named lease in libSQL: at most one holder at a time, until it releases it or the lease expires
// (a holder that died). Taking a lease is one atomic statement, so two processes, isolates or
// Workflows instances racing for it cannot both win.
import type { Clock } from "../../ports/clock.ts";
import type { Database } from "../../ports/database.ts";
import { toUtcSecondFloor } from "../../db/utc-time.ts";

export class LeaseHeldError extends Error {
  override name = "LeaseHeldError";
  readonly holder: string;
  readonly expiresAt: string;
  constructor(name: string, holder: string, expiresAt: string) {
    super(`${name} is held by ${holder} until ${expiresAt}`);
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

export interface Lease {
  name: string;
  holder: string;
  expiresAt: string;
}

/** Takes the lease, or throws LeaseHeldError naming the current holder. Re-entrant for the same holder. */
export async function acquireLease(db: Database, clock: Clock, name: string, holder: string, ttlMs: number): Promise<Lease> {
  const now = clock.now();
  const acquiredAt = toUtcSecondFloor(now);
  const expiresAt = toUtcSecondFloor(new Date(now.getTime() + Math.max(ttlMs, 1000)));
  const r = await db.execute({
    sql: `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
          WHERE leases.expires_at <= excluded.acquired_at OR leases.holder = excluded.holder`,
    args: [name, holder, acquiredAt, expiresAt],
  });
  if (r.rowsAffected === 1) return { name, holder, expiresAt };
  const cur = await db.execute({ sql: "SELECT holder, expires_at FROM leases WHERE name = ?", args: [name] });
  const row = cur.rows[0];
  throw new LeaseHeldError(name, String(row?.holder ?? "?"), String(row?.expires_at ?? "?"));
}

/** Extends a lease we hold; false if it was lost (expired and taken over). */
export async function renewLease(db: Database, clock: Clock, lease: Lease, ttlMs: number): Promise<boolean> {
  const expiresAt = toUtcSecondFloor(new Date(clock.now().getTime() + ttlMs));
  const r = await db.execute({
    sql: "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND expires_at < ?",
    args: [expiresAt, lease.name, lease.holder, expiresAt],
  });
  if (r.rowsAffected === 1) lease.expiresAt = expiresAt;
  const held = await db.execute({ sql: "SELECT 1 FROM leases WHERE name = ? AND holder = ?", args: [lease.name, lease.holder] });
  return held.rows.length === 1;
}

export async function releaseLease(db: Database, lease: Pick<Lease, "name" | "holder">): Promise<void> {
  await db.execute({ sql: "DELETE FROM leases WHERE name = ? AND holder = ?", args: [lease.name, lease.holder] });
}
