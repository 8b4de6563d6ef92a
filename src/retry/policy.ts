// The one home for retries: one policy type (`RetryPolicy`) and one executor (`withRetry`) run by
// p-retry. p-retry counts the attempts and decides when to stop; its own wait is switched off
// (minTimeout 0, factor 1, randomize false) because it cannot take an injected sleep or random, which
// the tests inject. The jittered wait runs in p-retry's `shouldRetry`, which p-retry calls only when
// an attempt is left, so nothing waits after the last attempt.
//
// Backoff (AWS architecture blog, "Exponential Backoff And Jitter"): before retry n (n = 1 after the
// first failed attempt) the ceiling is min(max, base * 2^(n-1)), and the wait is
//   full jitter:  uniform[0, ceiling), floored;
//   equal jitter: ceiling * (0.5 + uniform[0, 1) / 2), rounded;
//   none:         the ceiling.
import pRetry from "p-retry";

export type Jitter = "full" | "equal" | "none";

export interface RetryPolicy {
  /** Total attempts, including the first: an integer >= 1, or Infinity (bounded by `maxElapsedMs`). */
  attempts: number;
  /** Ceiling of the wait before the first retry; doubles each retry. */
  baseDelayMs: number;
  /** Cap on one wait. */
  maxDelayMs: number;
  jitter: Jitter;
  /** Which errors are worth another attempt; any other error is thrown at once. */
  retryable: (error: unknown) => boolean;
  /** Stop retrying once this long has passed since the first attempt began; waits are cut to fit. */
  maxElapsedMs?: number;
}

export interface RetryEvent {
  /** The attempt that failed (1-based). */
  attempt: number;
  /** The wait before the next attempt. */
  delayMs: number;
  error: unknown;
  /** Time since the first attempt began. */
  elapsedMs: number;
}

export interface RetryHooks {
  /** Waits; inject a fake in tests (default setTimeout). A rejection ends the retries with it. */
  sleep?: (ms: number) => Promise<void>;
  /** 0 <= x < 1 (default Math.random). */
  random?: () => number;
  /** Told about each retry before its wait, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
}

/** Throws a RangeError naming `who` if the policy's numbers are unusable. */
export function validateRetryPolicy(policy: RetryPolicy, who: string): void {
  const { attempts, baseDelayMs, maxDelayMs, maxElapsedMs } = policy;
  if (!(attempts === Number.POSITIVE_INFINITY || (Number.isInteger(attempts) && attempts >= 1))) {
    throw new RangeError(`${who}: attempts must be an integer >= 1, got ${attempts}`);
  }
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= 0)) throw new RangeError(`${who}: delays must be >= 0`);
  if (maxElapsedMs !== undefined && !(maxElapsedMs >= 0)) throw new RangeError(`${who}: maxElapsedMs must be >= 0`);
}

/** The upper bound of the wait before retry `retry` (1-based). */
export function backoffCeiling(retry: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer >= 1, got ${retry}`);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
}

/** The wait in ms before retry `retry` (1-based); `random` must return a number in [0, 1). */
export function retryDelay(retry: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "jitter">, random: () => number): number {
  const ceiling = backoffCeiling(retry, policy);
  if (policy.jitter === "none") return ceiling;
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${r}`);
  return policy.jitter === "full" ? Math.floor(r * ceiling) : Math.round(ceiling * (0.5 + r / 2));
}

/** setTimeout-based sleep that rejects with the signal's reason when aborted. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Carries any thrown value through p-retry unchanged (p-retry rethrows TypeErrors and wraps non-Errors). */
class FailedAttempt extends Error {
  readonly thrown: unknown;
  constructor(thrown: unknown) {
    super("attempt failed");
    this.thrown = thrown;
  }
}

/**
 * Runs `fn` (given the 1-based attempt number) until it resolves, an error is not retryable, the
 * attempts or `maxElapsedMs` run out, or a wait rejects. Throws the last error exactly as thrown.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  validateRetryPolicy(policy, "withRetry");
  const sleep = hooks.sleep ?? ((ms: number) => defaultSleep(ms));
  const random = hooks.random ?? Math.random;
  const started = Date.now();
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await fn(attempt);
        } catch (thrown) {
          throw new FailedAttempt(thrown);
        }
      },
      {
        retries: policy.attempts - 1,
        minTimeout: 0,
        factor: 1,
        randomize: false,
        shouldRetry: async ({ error, attemptNumber }) => {
          const thrown = (error as FailedAttempt).thrown;
          if (!policy.retryable(thrown)) return false;
          const elapsedMs = Date.now() - started;
          let delayMs = retryDelay(attemptNumber, policy, random);
          if (policy.maxElapsedMs !== undefined) {
            if (elapsedMs >= policy.maxElapsedMs) return false;
            delayMs = Math.min(delayMs, policy.maxElapsedMs - elapsedMs);
          }
          hooks.onRetry?.({ attempt: attemptNumber, delayMs, error: thrown, elapsedMs });
          await sleep(delayMs);
          return true;
        },
      },
    );
  } catch (e) {
    throw e instanceof FailedAttempt ? e.thrown : e;
  }
}
