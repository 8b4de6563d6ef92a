// Reading the promotion history, and what a rollback goes back to.
//
// Production's history is read as a stack: every promotion (by a person or the gate) pushes the
// version it promoted, every rollback pops one. The rollback target is the version under the top.
// So after v1 -> v2 -> v3, a rollback goes to v2 and a second rollback to v1 (not back to v3), and
// after v1 -> v2, rollback to v1, promote v4, a rollback goes to v1 again.
import type { Database } from "../ports/database.ts";
import { eventFromRow } from "./aliases.ts";
import type { AliasName, PromotionEvent } from "./aliases.ts";
import { GateInputError } from "./errors.ts";
import { checkLocation } from "./versions.ts";

/** History rows newest first, of one location (and alias) or all. */
export async function listHistory(
  db: Pick<Database, "execute">,
  filter: { location?: string; alias?: AliasName; limit?: number } = {},
): Promise<PromotionEvent[]> {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw new GateInputError(`limit must be a whole number from 1 to 10000, got ${limit}`);
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.location !== undefined) {
    checkLocation(filter.location);
    where.push("location_id = ?");
    args.push(filter.location);
  }
  if (filter.alias !== undefined) {
    where.push("alias = ?");
    args.push(filter.alias);
  }
  const rs = await db.execute({
    sql: `SELECT * FROM promotion_history ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
    args: [...args, limit],
  });
  return rs.rows.map(eventFromRow);
}

/** Every production move of a location, oldest first. */
export async function productionEvents(db: Pick<Database, "execute">, location: string): Promise<PromotionEvent[]> {
  const rs = await db.execute({ sql: "SELECT * FROM promotion_history WHERE location_id = ? AND alias = 'production' ORDER BY id", args: [location] });
  return rs.rows.map(eventFromRow);
}

/** The stack of production versions the history describes, bottom first; the top is production now. */
export function productionStack(events: readonly PromotionEvent[]): string[] {
  const stack: string[] = [];
  for (const e of events) {
    if (e.alias !== "production" || e.to === null) continue;
    if (e.action === "rollback") {
      stack.pop();
      if (stack.at(-1) !== e.to) stack.push(e.to); // a rollback recorded by other means: trust where it went
    } else {
      stack.push(e.to);
    }
  }
  return stack;
}

/** Current production and the version a rollback returns to, or null when there is nothing before. */
export function rollbackTarget(events: readonly PromotionEvent[]): { current: string; target: string } | null {
  const stack = productionStack(events);
  if (stack.length < 2) return null;
  return { current: stack.at(-1)!, target: stack.at(-2)! };
}
