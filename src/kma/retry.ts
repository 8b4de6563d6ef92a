// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
// before retry n (n = 1 after the first failed attempt) wait uniform[0, min(max, base * 2^(n-1))).

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { baseDelayMs: 500, maxDelayMs: 30_000 };

/** The upper bound of the wait before retry `retry` (1-based). */
export function backoffCeiling(retry: number, options: BackoffOptions): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer >= 1, got ${retry}`);
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
}

/** Full-jitter wait in ms before retry `retry`; `random` must return a number in [0, 1). */
export function fullJitterDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${r}`);
  return Math.floor(r * backoffCeiling(retry, options));
}

/** setTimeout-based sleep that rejects with the signal's reason when aborted. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
