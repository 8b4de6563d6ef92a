// KMA value strings -> numbers, by the rules of the 단기예보 guide and the ASOS service.
//
// Forecast values (fcstValue / obsrValue), VilageFcstInfoService_2.0:
//   plain number            '16', '-0.8', '6.2mm', '1.0cm'   -> that number            flag 'exact'
//   >= 900 or <= -900       '-999', '900'                    -> null                   flag 'missing'
//   '강수없음' (PCP/RN1)                                      -> 0                      flag 'no-precipitation'
//   '적설없음' (SNO)                                          -> 0                      flag 'no-snow'
//   'Xmm 미만' / 'Xcm 미만'  '1mm 미만', '0.5cm 미만'          -> X / 2, upper = X       flag 'less-than'
//   'A~Bmm'                 '30.0~50.0mm'                    -> (A + B) / 2, lower/upper flag 'range'
//   'Xmm 이상' / 'Xcm 이상'  '50.0mm 이상', '5.0cm 이상'        -> X, lower = X           flag 'at-least'
//   words only              '약한 비' (5th-day qualitative)   -> null                   flag 'qualitative'
//   anything else, ''                                        -> null                   flag 'unrecognized' / 'missing'
// Choice documented here: a "less than X" amount is reported as the midpoint X/2 of (0, X) and a
// range as its midpoint, always with the bounds and flag so callers can choose otherwise.
//
// ASOS hourly values (AsosHourlyInfoService): strings, '' = no value -> null. The ±900 rule does NOT
// apply (station pressure pa is ~1000 hPa, visibility vs is in 10 m units). An empty rn means "no
// report", not "no rain", so it stays null.

export type ValueFlag = "exact" | "missing" | "no-precipitation" | "no-snow" | "less-than" | "range" | "at-least" | "qualitative" | "unrecognized";

export interface ParsedValue {
  value: number | null;
  flag: ValueFlag;
  /** Lower bound of a range / 'at least' amount. */
  lower?: number;
  /** Upper bound of a range / 'less than' amount (exclusive for 'less-than'). */
  upper?: number;
}

/** Unit that amounts of each category carry in their strings. */
const AMOUNT_UNIT: Readonly<Record<string, "mm" | "cm">> = { PCP: "mm", RN1: "mm", SNO: "cm" };

const NUM = String.raw`[+-]?\d+(?:\.\d+)?`;
const PLAIN = new RegExp(`^${NUM}$`);
const WITH_UNIT = new RegExp(`^(${NUM})\\s*(mm|cm)$`);
const LESS_THAN = new RegExp(`^(${NUM})\\s*(mm|cm)\\s*미만$`);
const AT_LEAST = new RegExp(`^(${NUM})\\s*(mm|cm)\\s*이상$`);
const RANGE = new RegExp(`^(${NUM})\\s*(mm|cm)?\\s*~\\s*(${NUM})\\s*(mm|cm)$`);
const WORDS_ONLY = /^[\p{Script=Hangul}\s]+$/u;

/** True for KMA's missing-value sentinels: any value >= 900 or <= -900. */
export function isKmaMissing(n: number): boolean {
  return n >= 900 || n <= -900;
}

const num = (s: string): number => {
  const n = Number(s);
  return n === 0 ? 0 : n; // no -0
};

const UNRECOGNIZED: ParsedValue = { value: null, flag: "unrecognized" };

/** Parses one forecast/observation value string of `category` by KMA's rules (see file header). */
export function parseForecastValue(category: string, raw: string): ParsedValue {
  const s = raw.trim();
  if (s === "") return { value: null, flag: "missing" };
  if (PLAIN.test(s)) {
    const n = num(s);
    return isKmaMissing(n) ? { value: null, flag: "missing" } : { value: n, flag: "exact" };
  }
  if (s === "강수없음") return { value: 0, flag: "no-precipitation" };
  if (s === "적설없음") return { value: 0, flag: "no-snow" };

  const expected = AMOUNT_UNIT[category];
  const unitOk = (u: string | undefined) => u === undefined || expected === undefined || u === expected;
  let m: RegExpExecArray | null;
  if ((m = WITH_UNIT.exec(s))) {
    if (!unitOk(m[2])) return UNRECOGNIZED;
    const n = num(m[1]!);
    return isKmaMissing(n) ? { value: null, flag: "missing" } : { value: n, flag: "exact" };
  }
  if ((m = LESS_THAN.exec(s))) {
    if (!unitOk(m[2])) return UNRECOGNIZED;
    const upper = num(m[1]!);
    if (!(upper > 0) || isKmaMissing(upper)) return UNRECOGNIZED;
    return { value: upper / 2, flag: "less-than", upper };
  }
  if ((m = AT_LEAST.exec(s))) {
    if (!unitOk(m[2])) return UNRECOGNIZED;
    const lower = num(m[1]!);
    if (isKmaMissing(lower)) return UNRECOGNIZED;
    return { value: lower, flag: "at-least", lower };
  }
  if ((m = RANGE.exec(s))) {
    if (!unitOk(m[2]) || !unitOk(m[4]) || (m[2] !== undefined && m[2] !== m[4])) return UNRECOGNIZED;
    const lower = num(m[1]!);
    const upper = num(m[3]!);
    if (!(lower <= upper) || isKmaMissing(lower) || isKmaMissing(upper)) return UNRECOGNIZED;
    return { value: (lower + upper) / 2, flag: "range", lower, upper };
  }
  if (WORDS_ONLY.test(s)) return { value: null, flag: "qualitative" };
  return UNRECOGNIZED;
}

/** An ASOS numeric field: '' (or absent) -> null, a number string -> number; throws RangeError otherwise. */
export function parseAsosNumber(raw: string | null | undefined): number | null {
  if (raw === undefined || raw === null) return null;
  const s = raw.trim();
  if (s === "") return null;
  if (!PLAIN.test(s)) throw new RangeError(`not a number: "${s.slice(0, 40)}"`);
  return num(s);
}

/** An ASOS text field (codes such as clfmAbbrCd): '' (or absent) -> null. */
export function parseAsosText(raw: string | null | undefined): string | null {
  if (raw === undefined || raw === null) return null;
  const s = raw.trim();
  return s === "" ? null : s;
}
