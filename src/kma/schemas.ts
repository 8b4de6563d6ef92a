// zod schemas for KMA JSON responses: the common envelope and the item shapes of each operation.
// data.go.kr quirks handled here: numbers may arrive as strings, `items` is "" when there are no
// items, and a single item can arrive as an object instead of a one-element array.
import { z } from "zod";
import { normalizeResultCode } from "./result-codes.ts";

const intLike = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "not a whole number").transform(Number)]);
const textLike = z.union([z.string(), z.number().transform(String)]);

export const headerSchema = z.object({
  resultCode: z.union([z.string().min(1), z.number()]).transform(normalizeResultCode),
  resultMsg: z.string().optional().default(""),
});

const itemsSchema = z
  .union([z.literal(""), z.null(), z.object({ item: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional() })])
  .transform((v): unknown[] => {
    if (v === "" || v === null || v.item === undefined) return [];
    return Array.isArray(v.item) ? v.item : [v.item];
  });

export const bodySchema = z.object({
  dataType: z.string().optional(),
  items: itemsSchema.optional().transform((v) => v ?? []),
  pageNo: intLike,
  numOfRows: intLike,
  totalCount: intLike,
});

/** `{ response: { header, body? } }`; the body is checked separately, only when resultCode is 00. */
export const envelopeSchema = z.object({
  response: z.object({ header: headerSchema, body: z.unknown().optional() }),
});

export type KmaPageBody = z.output<typeof bodySchema>;

const yyyymmdd = z.string().regex(/^\d{8}$/, "want YYYYMMDD");
const hhmm = z.string().regex(/^\d{4}$/, "want HHmm");
const category = z.string().regex(/^[A-Z][A-Z0-9]{1,4}$/, "want a category code such as TMP");

/** getVilageFcst / getUltraSrtFcst item. */
export const forecastItemSchema = z.object({
  baseDate: yyyymmdd,
  baseTime: hhmm,
  category,
  fcstDate: yyyymmdd,
  fcstTime: hhmm,
  fcstValue: textLike,
  nx: intLike,
  ny: intLike,
});

/** getUltraSrtNcst item (observations: no fcstDate/fcstTime, value in obsrValue). */
export const nowcastItemSchema = z.object({
  baseDate: yyyymmdd,
  baseTime: hhmm,
  category,
  obsrValue: textLike,
  nx: intLike,
  ny: intLike,
});

/** Numeric fields of an ASOS hourly item (AsosHourlyInfoService/getWthrDataList), with units. */
export const ASOS_NUMERIC_FIELDS = [
  "ta", // air temperature, °C
  "rn", // precipitation, mm ('' = not reported, not 0)
  "ws", // wind speed, m/s
  "wd", // wind direction, degrees (16 points)
  "hm", // relative humidity, %
  "pv", // vapour pressure, hPa
  "td", // dew point, °C
  "pa", // station pressure, hPa
  "ps", // sea-level pressure, hPa
  "ss", // sunshine, hours
  "icsr", // solar radiation, MJ/m2
  "dsnw", // snow depth, cm
  "hr3Fhsc", // 3-hour fresh snow, cm
  "dc10Tca", // total cloud amount, tenths
  "dc10LmcsCa", // mid/low cloud amount, tenths
  "lcsCh", // lowest cloud height, 100 m
  "vs", // visibility, 10 m
  "ts", // ground surface temperature, °C
  "m005Te", // soil temperature at 5 cm, °C
  "m01Te", // soil temperature at 10 cm, °C
  "m02Te", // soil temperature at 20 cm, °C
  "m03Te", // soil temperature at 30 cm, °C
] as const;

/** Code/text fields of an ASOS hourly item. */
export const ASOS_TEXT_FIELDS = [
  "clfmAbbrCd", // cloud form codes
  "gndSttCd", // ground state code
  "dmstMtphNo", // weather phenomenon numbers
] as const;

export const asosItemSchema = z.looseObject({
  tm: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, "want 'YYYY-MM-DD HH:mm'"),
  stnId: textLike,
  stnNm: z.string().optional(),
  ...Object.fromEntries([...ASOS_NUMERIC_FIELDS, ...ASOS_TEXT_FIELDS].map((f) => [f, textLike.optional()])),
});

/** One-line summary of zod issues: `path: message; ...`. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues.slice(0, max).map((i) => (i.path.length ? `${i.path.map(String).join(".")}: ${i.message}` : i.message));
  const more = error.issues.length > max ? `; and ${error.issues.length - max} more` : "";
  return shown.join("; ") + more;
}
