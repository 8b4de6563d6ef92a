// Number parsing for LightGBM model text. Stricter than LightGBM (which stops at the first bad
// character and keeps what it read), so that a damaged number is refused instead of misread; for
// every well-formed token the value is the one LightGBM gets.

/** A decimal number as LightGBM writes it ("%.17g" style), or inf/infinity/nan (strtod's spellings). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
const INTEGER = /^[+-]?\d+$/;

/**
 * The double LightGBM reads for leaf values, thresholds and linear-model coefficients
 * (AtofPrecise: fast_double_parser, falling back to strtod; both round correctly, as Number() does).
 * Returns undefined for anything that is not a number.
 */
export function parseDouble(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  const m = SPECIAL.exec(token);
  if (!m) return undefined;
  if ((m[2] ?? "").toLowerCase() === "nan") return NaN;
  return m[1] === "-" ? -Infinity : Infinity;
}

/** A base-10 integer within the safe range; undefined otherwise. */
export function parseInteger(token: string): number | undefined {
  if (!INTEGER.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** 10^power by LightGBM's Common::Pow (repeated squaring, in this exact order). */
function lightgbmPow10(power: number): number {
  let base = 10.0;
  let p = power;
  // Pow(base, p) = p even ? Pow(base*base, p/2) : base * Pow(base, p-1); Pow(base, 0) = 1.
  const factors: number[] = [];
  while (p > 0) {
    if (p % 2 === 0) {
      base = base * base;
      p = p / 2;
    } else {
      factors.push(base);
      p = p - 1;
    }
  }
  let result = 1;
  for (let i = factors.length - 1; i >= 0; i--) result = factors[i]! * result;
  return result;
}

/**
 * LightGBM's legacy Common::Atof, which is NOT correctly rounded: LightGBM parses the objective's
 * parameters (e.g. "sigmoid:0.7") with it, so the predictor must too to get the same doubles.
 * Only the decimal forms are accepted here (the text LightGBM writes); undefined otherwise.
 */
export function lightgbmAtof(token: string): number | undefined {
  if (!DECIMAL.test(token)) return undefined;
  let i = 0;
  let sign = 1.0;
  if (token[i] === "-") {
    sign = -1.0;
    i++;
  } else if (token[i] === "+") {
    i++;
  }
  const digit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  let value = 0.0;
  for (; digit(token[i]); i++) value = value * 10.0 + (token.charCodeAt(i) - 48);
  if (token[i] === ".") {
    let right = 0.0;
    let nn = 0;
    i++;
    for (; digit(token[i]); i++) {
      right = token.charCodeAt(i) - 48 + right * 10.0;
      nn++;
    }
    value += right / lightgbmPow10(nn);
  }
  let frac = false;
  let scale = 1.0;
  if (token[i] === "e" || token[i] === "E") {
    i++;
    if (token[i] === "-") {
      frac = true;
      i++;
    } else if (token[i] === "+") {
      i++;
    }
    let expon = 0;
    for (; digit(token[i]); i++) expon = Math.min(expon * 10 + (token.charCodeAt(i) - 48), 100000);
    if (expon > 308) expon = 308;
    while (expon >= 50) {
      scale *= 1e50;
      expon -= 50;
    }
    while (expon >= 8) {
      scale *= 1e8;
      expon -= 8;
    }
    while (expon > 0) {
      scale *= 10.0;
      expon -= 1;
    }
  }
  return sign * (frac ? value / scale : value * scale);
}
