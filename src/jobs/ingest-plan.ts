// Which (location, product) steps the hourly ingest runs at a given hour, within a daily KMA call
// budget. Pure: the Worker's cron and `nalssi start` call it with the configured locations.
//
//   getUltraSrtNcst (nowcast): a new issue every hour -> one slot per hour, 24 a day per location.
//   getVilageFcst (short-term forecast): a new issue every 3 hours (02, 05, ..., 23 KST) -> fetched
//     only in the hour its newest issue appears, 8 a day per location (the other hours would fetch
//     the same issue again).
//
// data.go.kr development keys allow 10,000 calls a day per operation. The plan keeps `reserve` of it
// (default 10 %) for the NO_DATA fallback to the previous issue and for retries. When N locations x
// slots a day do not fit, the product is THINNED: location i (its index in the configured list) is
// fetched in slot s only when (s + i) % k == 0, with the smallest k that fits, so each location is
// fetched every k-th slot and the calls spread evenly over the day. The plan says so in `degraded`
// (logged and recorded as the hour's `ingest_plan` run), never silently. If even once a day does
// not fit, the plan stays at once a day and says it is over budget.
import { KST_OFFSET_MS } from "../time/kst.ts";
import { latestBase } from "../kma/schedule.ts";
import type { IngestProduct } from "./ingest.ts";

export const DEFAULT_KMA_DAILY_CALL_BUDGET = 10_000;
export const DEFAULT_BUDGET_RESERVE = 0.1;

export interface IngestBudget {
  /** Calls a day allowed per KMA operation (each of getUltraSrtNcst and getVilageFcst). */
  callsPerDay: number;
  /** Share of the budget kept for fallbacks and retries, 0..0.9 (default 0.1). */
  reserve?: number;
}

export interface ProductPlan {
  product: IngestProduct;
  /** Slots a day (24 for the nowcast, 8 for the short-term forecast) and this hour's slot, or null. */
  slotsPerDay: number;
  slot: number | null;
  /** Each location is fetched every `every`-th slot (1: every slot). */
  every: number;
  /** Calls a day: what every slot for every location needs, and what the plan makes. */
  neededPerDay: number;
  plannedPerDay: number;
  /** Locations fetched this hour. */
  locationIds: string[];
  thinned: boolean;
  overBudget: boolean;
}

export interface IngestPlan {
  /** The hour planned for (the trigger's scheduled time) and its KST hour. */
  at: string;
  kstHour: number;
  locations: number;
  budgetPerDay: number;
  usablePerDay: number;
  products: ProductPlan[];
  /** What runs this hour, location by location (nowcast first). */
  steps: { locationId: string; product: IngestProduct }[];
  /** One line when the schedule is thinned or over budget; null when every location gets every issue. */
  degraded: string | null;
}

/** Calls a day when location i is fetched in slot s iff (s + i) % k == 0. */
export function callsPerDay(locations: number, slots: number, k: number): number {
  let total = 0;
  for (let i = 0; i < Math.min(locations, k); i++) {
    let perLocation = 0;
    for (let s = 0; s < slots; s++) if ((s + i) % k === 0) perLocation++;
    // locations i, i + k, i + 2k ... have the same slots
    total += perLocation * Math.ceil((locations - i) / k);
  }
  return total;
}

function planProduct(product: IngestProduct, ids: readonly string[], slots: number, slot: number | null, usable: number): ProductPlan {
  const needed = ids.length * slots;
  let every = 1;
  while (every < slots && callsPerDay(ids.length, slots, every) > usable) every++;
  const planned = callsPerDay(ids.length, slots, every);
  return {
    product,
    slotsPerDay: slots,
    slot,
    every,
    neededPerDay: needed,
    plannedPerDay: planned,
    locationIds: slot === null ? [] : ids.filter((_, i) => (slot + i) % every === 0),
    thinned: every > 1,
    overBudget: planned > usable,
  };
}

const HOUR_MS = 3_600_000;

/** The plan for the hour of `at` (the cron's scheduled time) for these locations (configured order). */
export function planIngestHour(locationIds: readonly string[], at: Date, budget: IngestBudget): IngestPlan {
  if (Number.isNaN(at.getTime())) throw new RangeError("planIngestHour: `at` is an invalid date");
  if (!Number.isInteger(budget.callsPerDay) || budget.callsPerDay < 1)
    throw new RangeError(`the KMA call budget must be a whole number of calls a day >= 1, got ${budget.callsPerDay}`);
  const reserve = budget.reserve ?? DEFAULT_BUDGET_RESERVE;
  if (!(reserve >= 0 && reserve <= 0.9)) throw new RangeError(`the budget reserve must be 0..0.9, got ${reserve}`);
  if (new Set(locationIds).size !== locationIds.length) throw new RangeError("planIngestHour: duplicate location ids");
  const usable = Math.max(1, Math.floor(budget.callsPerDay * (1 - reserve)));

  const nowcast = latestBase("ultraSrtNcst", at);
  const nowcastSlot = new Date(nowcast.issuedAt.getTime() + KST_OFFSET_MS).getUTCHours();
  const fcst = latestBase("vilageFcst", at);
  const newIssue = fcst.issuedAt.getTime() !== latestBase("vilageFcst", new Date(at.getTime() - HOUR_MS)).issuedAt.getTime();
  const fcstSlot = newIssue ? Math.floor((new Date(fcst.issuedAt.getTime() + KST_OFFSET_MS).getUTCHours() + 24 - 2) / 3) % 8 : null;

  const products = [planProduct("ultraSrtNcst", locationIds, 24, nowcastSlot, usable), planProduct("vilageFcst", locationIds, 8, fcstSlot, usable)];
  const steps = products.flatMap((p) => p.locationIds.map((locationId) => ({ locationId, product: p.product })));
  const notes = products
    .filter((p) => p.thinned || p.overBudget)
    .map((p) => {
      const what = p.product === "ultraSrtNcst" ? "nowcast" : "short-term forecast";
      const unit = p.product === "ultraSrtNcst" ? "hour" : "issue";
      const head = p.overBudget
        ? `${what} OVER BUDGET: once a day per location is already ${p.plannedPerDay} calls/day`
        : `${what} thinned to every ${ordinal(p.every)} ${unit} per location (${p.plannedPerDay} calls/day)`;
      return `${head}: ${locationIds.length} locations x ${p.slotsPerDay} = ${p.neededPerDay} calls/day > ${usable} usable of the ${budget.callsPerDay} budget`;
    });
  return {
    at: at.toISOString(),
    kstHour: new Date(at.getTime() + KST_OFFSET_MS).getUTCHours(),
    locations: locationIds.length,
    budgetPerDay: budget.callsPerDay,
    usablePerDay: usable,
    products,
    steps,
    degraded: notes.length ? notes.join("; ") : null,
  };
}

function ordinal(n: number): string {
  return n === 2 ? "2nd" : n === 3 ? "3rd" : `${n}th`;
}

/** KMA_DAILY_CALL_BUDGET: a whole number >= 1; unset or empty: 10,000. Throws RangeError naming it. */
export function budgetFromEnv(value: string | undefined): IngestBudget {
  const t = value?.trim() ?? "";
  if (t === "") return { callsPerDay: DEFAULT_KMA_DAILY_CALL_BUDGET };
  if (!/^\d+$/.test(t) || Number(t) < 1) throw new RangeError(`KMA_DAILY_CALL_BUDGET must be a whole number of calls a day >= 1, got "${t}"`);
  return { callsPerDay: Number(t) };
}
