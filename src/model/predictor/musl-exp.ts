// exp() and log1p() exactly as the LightGBM build we train with computes them: musl libc's versions
// (emscripten 3.1.6; exp from Arm optimized-routines, log1p from FreeBSD msun / Sun fdlibm), ported
// operation by operation so every result is bit-identical. JavaScript's Math.exp is a different
// algorithm (V8 uses fdlibm's exp) and differs in the last bit for some inputs, which would break
// the bitwise equality of transformed predictions (poisson/gamma/tweedie, binary, multiclass).
// The wasm build does not contract a*b+c into fma (WebAssembly has no fma), so neither does this port.
import { EXP_TAB_WORDS } from "./musl-exp-data.ts";

// Reinterpreting doubles as two 32-bit words. The word order follows the platform's byte order.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = LITTLE_ENDIAN ? 0 : 1;

function fromWords(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

const EXP_TABLE_BITS = 7;
const N = 1 << EXP_TABLE_BITS;
const INV_LN2_N = fromWords(0x3ff71547, 0x652b82fe) * N; // 0x1.71547652b82fep0 * N
const NEG_LN2_HI_N = fromWords(0xbf762e42, 0xfefa0000); // -0x1.62e42fefa0000p-8
const NEG_LN2_LO_N = fromWords(0xbd0cf79a, 0xbc9e3b3a); // -0x1.cf79abc9e3b3ap-47
const SHIFT = fromWords(0x43380000, 0); // 0x1.8p52
const C2 = fromWords(0x3fdfffff, 0xfffffdbd); // 0x1.ffffffffffdbdp-2
const C3 = fromWords(0x3fc55555, 0x5555543c); // 0x1.555555555543cp-3
const C4 = fromWords(0x3fa55555, 0xcf172b91); // 0x1.55555cf172b91p-5
const C5 = fromWords(0x3f811111, 0x67a4d017); // 0x1.1111167a4d017p-7
const P1009 = fromWords(0x7f000000, 0); // 0x1p1009
const PM1022 = fromWords(0x00100000, 0); // 0x1p-1022

// tab[2k] = tail T[k] (a double), tab[2k+1] = bits of H[k] minus (k << 52)/N, as (hi, lo) word pairs.
const TAB_HI = new Uint32Array(2 * N);
const TAB_LO = new Uint32Array(2 * N);
if (EXP_TAB_WORDS.length !== 4 * N) throw new Error(`musl exp table has ${EXP_TAB_WORDS.length} words, expected ${4 * N}`);
for (let i = 0; i < 2 * N; i++) {
  TAB_HI[i] = EXP_TAB_WORDS[2 * i]!;
  TAB_LO[i] = EXP_TAB_WORDS[2 * i + 1]!;
}
const TAIL = new Float64Array(N);
for (let k = 0; k < N; k++) TAIL[k] = fromWords(TAB_HI[2 * k]!, TAB_LO[2 * k]!);

// top12(0x1p-54) = 0x3c9, top12(512.0) = 0x408, top12(1024.0) = 0x409, top12(INFINITY) = 0x7ff.
const TOP12_TINY = 0x3c9;
const TOP12_BIG = 0x408;
const TOP12_HUGE = 0x409;

/** Handles results that may overflow or underflow (musl's specialcase). sbits is given as (hi, lo) words. */
function specialCase(tmp: number, sbitsHi: number, sbitsLo: number, kiLo: number): number {
  if ((kiLo & 0x80000000) === 0) {
    // k > 0: the exponent of scale might have overflowed by <= 460.
    const scale = fromWords((sbitsHi - (1009 << 20)) >>> 0, sbitsLo);
    return P1009 * (scale + scale * tmp);
  }
  // k < 0: need special care in the subnormal range.
  const scale = fromWords((sbitsHi + (1022 << 20)) >>> 0, sbitsLo);
  let y = scale + scale * tmp;
  if (y < 1.0) {
    let lo = scale - y + scale * tmp;
    const hi = 1.0 + y;
    lo = 1.0 - hi + y + lo;
    y = hi + lo - 1.0;
    if (y === 0) y = 0; // avoid -0.0 with downward rounding
  }
  return PM1022 * y;
}

/** e^x, bit-identical to musl's exp (the one in LightGBM-wasm). */
export function muslExp(x: number): number {
  f64[0] = x;
  const xHi = u32[HI]!;
  let abstop = (xHi >>> 20) & 0x7ff;
  if ((abstop - TOP12_TINY) >>> 0 >= TOP12_BIG - TOP12_TINY) {
    if ((abstop - TOP12_TINY) >>> 0 >= 0x80000000) {
      // Tiny x (including 0): exp(x) rounds to 1 + x.
      return 1.0 + x;
    }
    if (abstop >= TOP12_HUGE) {
      if (x === -Infinity) return 0.0;
      if (abstop >= 0x7ff) return 1.0 + x; // +Infinity or NaN
      return xHi >>> 31 ? 0 : Infinity; // __math_uflow(0) / __math_oflow(0)
    }
    // Large x is special-cased below.
    abstop = 0;
  }
  // exp(x) = 2^(k/N) * exp(r), with exp(r) in [2^(-1/2N),2^(1/2N)]; x = ln2/N*k + r.
  const z = INV_LN2_N * x;
  let kd = z + SHIFT;
  f64[0] = kd;
  const kiLo = u32[LO]!; // the low word of asuint64(kd) holds k (two's complement, mod 2^32)
  kd -= SHIFT;
  const r = x + kd * NEG_LN2_HI_N + kd * NEG_LN2_LO_N;
  // 2^(k/N) ~= scale * (1 + tail).
  const idx = 2 * (kiLo & (N - 1));
  const tail = TAIL[idx >> 1]!;
  // sbits = T[idx + 1] + (ki << 45): only the low 19 bits of ki reach the high word; the low word is unchanged.
  const sbitsHi = (TAB_HI[idx + 1]! + (kiLo << 13)) >>> 0;
  const sbitsLo = TAB_LO[idx + 1]!;
  const r2 = r * r;
  const tmp = tail + r + r2 * (C2 + r * C3) + r2 * r2 * (C4 + r * C5);
  if (abstop === 0) return specialCase(tmp, sbitsHi, sbitsLo, kiLo);
  const scale = fromWords(sbitsHi, sbitsLo);
  return scale + scale * tmp;
}

const LN2_HI = 6.9314718036912381649e-1; // 3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10; // 3dea39ef 35793c76
const LG1 = 6.66666666666673513e-1; // 3FE55555 55555593
const LG2 = 3.999999999940941908e-1; // 3FD99999 9997FA04
const LG3 = 2.857142874366239149e-1; // 3FD24924 94229359
const LG4 = 2.222219843214978396e-1; // 3FCC71C5 1D8E78AF
const LG5 = 1.818357216161805012e-1; // 3FC74664 96CB03DE
const LG6 = 1.531383769920937332e-1; // 3FC39A09 D078C69F
const LG7 = 1.479819860511658591e-1; // 3FC2F112 DF3E5244

/** log(1 + x), bit-identical to musl's log1p. */
export function muslLog1p(x: number): number {
  f64[0] = x;
  const hx = u32[HI]!;
  let k = 1;
  let c = 0;
  let f = 0;
  if (hx < 0x3fda827a || hx >>> 31) {
    // 1+x < sqrt(2)+
    if (hx >= 0xbff00000) {
      // x <= -1.0
      if (x === -1) return -Infinity;
      return NaN;
    }
    if ((hx << 1) >>> 0 < (0x3ca00000 << 1) >>> 0) return x; // |x| < 2**-53
    if (hx <= 0xbfd2bec4) {
      // sqrt(2)/2- <= 1+x < sqrt(2)+
      k = 0;
      c = 0;
      f = x;
    }
  } else if (hx >= 0x7ff00000) {
    return x;
  }
  if (k) {
    const uf = 1 + x;
    f64[0] = uf;
    let hu = u32[HI]!;
    const ulo = u32[LO]!;
    hu = (hu + (0x3ff00000 - 0x3fe6a09e)) >>> 0;
    k = (hu >>> 20) - 0x3ff;
    // correction term ~ log(1+x)-log(u), avoid underflow in c/u
    if (k < 54) {
      c = k >= 2 ? 1 - (uf - x) : x - (uf - 1);
      c /= uf;
    } else {
      c = 0;
    }
    // reduce u into [sqrt(2)/2, sqrt(2)]
    hu = ((hu & 0x000fffff) + 0x3fe6a09e) >>> 0;
    f = fromWords(hu, ulo) - 1;
  }
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  const dk = k;
  return s * (hfsq + R) + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI;
}
