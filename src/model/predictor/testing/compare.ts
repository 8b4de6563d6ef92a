// Bitwise comparison of prediction arrays, with failure messages that show where and how they differ.

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function bits(v: number): string {
  f64[0] = v;
  return `0x${u64[0]!.toString(16).padStart(16, "0")}`;
}

/**
 * The positions where `actual` is not bitwise equal (Object.is) to `expected`, described, up to
 * `max` of them, plus a count; [] when they are equal. A length difference is reported too.
 */
export function bitwiseDifferences(expected: ArrayLike<number>, actual: ArrayLike<number>, max = 5): string[] {
  const out: string[] = [];
  if (expected.length !== actual.length) out.push(`length ${actual.length}, expected ${expected.length}`);
  let count = 0;
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (!Object.is(e, a)) {
      count++;
      if (out.length < max) out.push(`[${i}] ${a} (${bits(a)}) != expected ${e} (${bits(e)})`);
    }
  }
  if (count > max) out.push(`... ${count} differences in all, of ${n}`);
  return out;
}
