// Validated KMA items -> normalized typed records (UTC ISO instants, parsed values, raw strings kept).
import type { z } from "zod";
import { kstDateTimeToUtc, kstToUtc } from "../time/kst.ts";
import type { ForecastProduct } from "./schedule.ts";
import { ASOS_NUMERIC_FIELDS, ASOS_TEXT_FIELDS, asosItemSchema, describeIssues, forecastItemSchema, nowcastItemSchema } from "./schemas.ts";
import { parseAsosNumber, parseAsosText, parseForecastValue } from "./values.ts";
import type { ValueFlag } from "./values.ts";

/** Categories of VilageFcstInfoService_2.0 (unknown future codes are still passed through as strings). */
export type ForecastCategory =
  | "TMP"
  | "T1H"
  | "TMN"
  | "TMX"
  | "REH"
  | "WSD"
  | "VEC"
  | "UUU"
  | "VVV"
  | "SKY"
  | "PTY"
  | "POP"
  | "PCP"
  | "RN1"
  | "SNO"
  | "WAV"
  | "LGT";

/** One forecast (or, for ultraSrtNcst, observed) value for one grid point and hour. */
export interface ForecastRecord {
  product: ForecastProduct;
  nx: number;
  ny: number;
  /** Base (issue) time, UTC ISO 8601. */
  issuedAt: string;
  /** The hour the value is for, UTC ISO 8601 (for ultraSrtNcst the observation time = issuedAt). */
  validAt: string;
  category: ForecastCategory | (string & {});
  /** Parsed number; null when missing (>= 900 / <= -900), qualitative or unrecognized. Never a sentinel. */
  value: number | null;
  flag: ValueFlag;
  lower?: number;
  upper?: number;
  /** The value string exactly as KMA sent it. */
  raw: string;
}

type AsosNumericField = (typeof ASOS_NUMERIC_FIELDS)[number];
type AsosTextField = (typeof ASOS_TEXT_FIELDS)[number];

/** One hourly ASOS observation; every value is null when KMA left it empty. */
export type AsosHourlyObservation = {
  stationId: number;
  stationName: string | null;
  /** Observation hour, UTC ISO 8601 (KMA's `tm` is KST). */
  observedAt: string;
  /** Non-empty quality flags by field (e.g. { rn: "9" }); KMA: 0 normal, 1 error, 9 missing. */
  qc: Record<string, string>;
} & { [K in AsosNumericField]: number | null } & { [K in AsosTextField]: string | null };

/** An item broke the schema or KMA's value rules; `index` is its position in the concatenated items. */
export class ItemError extends Error {
  override name = "ItemError";
}

function parseItems<S extends z.ZodType>(schema: S, items: readonly unknown[], what: string): z.output<S>[] {
  return items.map((item, index) => {
    const r = schema.safeParse(item);
    if (!r.success) throw new ItemError(`${what} item ${index} is malformed: ${describeIssues(r.error)}`);
    return r.data;
  });
}

interface Expected {
  nx: number;
  ny: number;
  baseDate: string;
  baseTime: string;
}

function checkExpected(i: { baseDate: string; baseTime: string; nx: number; ny: number }, e: Expected, index: number): void {
  if (i.nx !== e.nx || i.ny !== e.ny) throw new ItemError(`item ${index} is for grid ${i.nx},${i.ny} but ${e.nx},${e.ny} was requested`);
  if (i.baseDate !== e.baseDate || i.baseTime !== e.baseTime) {
    throw new ItemError(`item ${index} has base ${i.baseDate} ${i.baseTime} but ${e.baseDate} ${e.baseTime} was requested`);
  }
}

function withBounds(p: ReturnType<typeof parseForecastValue>): Pick<ForecastRecord, "value" | "flag" | "lower" | "upper"> {
  return { value: p.value, flag: p.flag, ...(p.lower !== undefined ? { lower: p.lower } : {}), ...(p.upper !== undefined ? { upper: p.upper } : {}) };
}

/** getVilageFcst / getUltraSrtFcst items -> records. Throws ItemError. */
export function forecastRecords(product: "vilageFcst" | "ultraSrtFcst", items: readonly unknown[], expected: Expected): ForecastRecord[] {
  return parseItems(forecastItemSchema, items, product).map((i, index) => {
    checkExpected(i, expected, index);
    return {
      product,
      nx: i.nx,
      ny: i.ny,
      issuedAt: kstToUtc(i.baseDate, i.baseTime).toISOString(),
      validAt: kstToUtc(i.fcstDate, i.fcstTime).toISOString(),
      category: i.category,
      ...withBounds(parseForecastValue(i.category, i.fcstValue)),
      raw: i.fcstValue,
    };
  });
}

/** getUltraSrtNcst items -> records (validAt = issuedAt = observation hour). Throws ItemError. */
export function nowcastRecords(items: readonly unknown[], expected: Expected): ForecastRecord[] {
  return parseItems(nowcastItemSchema, items, "ultraSrtNcst").map((i, index) => {
    checkExpected(i, expected, index);
    const at = kstToUtc(i.baseDate, i.baseTime).toISOString();
    return {
      product: "ultraSrtNcst" as const,
      nx: i.nx,
      ny: i.ny,
      issuedAt: at,
      validAt: at,
      category: i.category,
      ...withBounds(parseForecastValue(i.category, i.obsrValue)),
      raw: i.obsrValue,
    };
  });
}

/** getWthrDataList (ASOS hourly) items -> observations. Throws ItemError naming the item and field. */
export function asosRecords(items: readonly unknown[], expectedStationId?: number): AsosHourlyObservation[] {
  return parseItems(asosItemSchema, items, "ASOS").map((raw, index) => {
    const i = raw as Record<string, unknown> & { tm: string; stnId: string; stnNm?: string };
    const stationId = Number(i.stnId);
    if (!Number.isInteger(stationId)) throw new ItemError(`ASOS item ${index} (${i.tm}) has stnId "${i.stnId}", not a number`);
    if (expectedStationId !== undefined && stationId !== expectedStationId) {
      throw new ItemError(`ASOS item ${index} (${i.tm}) is for station ${stationId} but ${expectedStationId} was requested`);
    }
    let observedAt: string;
    try {
      observedAt = kstDateTimeToUtc(i.tm).toISOString();
    } catch (e) {
      throw new ItemError(`ASOS item ${index}: ${(e as Error).message}`);
    }
    const out: Record<string, unknown> = { stationId, stationName: parseAsosText(i.stnNm), observedAt };
    for (const f of ASOS_NUMERIC_FIELDS) {
      try {
        out[f] = parseAsosNumber(i[f] as string | undefined);
      } catch (e) {
        throw new ItemError(`ASOS item ${index} (${i.tm}) field ${f}: ${(e as Error).message}`);
      }
    }
    for (const f of ASOS_TEXT_FIELDS) out[f] = parseAsosText(i[f] as string | undefined);
    const qc: Record<string, string> = {};
    for (const [k, v] of Object.entries(i)) {
      if (k.endsWith("Qcflg") && typeof v === "string" && v.trim() !== "") qc[k.slice(0, -"Qcflg".length)] = v.trim();
    }
    out.qc = qc;
    return out as AsosHourlyObservation;
  });
}
