// Retries an ObjectStore's transient faults (ObjectStoreError with `transient: true`) with capped
// exponential backoff and jitter. Safe for every operation: put is idempotent by key (a repeat
// writes the same object again), delete of a missing key is a no-op, reads have no effects.
// Anything else (bad keys, conflicts, integrity faults, errors that are not ObjectStoreError) is
// thrown at once. After the last attempt the final error is thrown, saying how many were made.
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ListPageOptions, ObjectStore, ObjectStoreOperation, PutOptions } from "../ports/object-store.ts";

export interface RetryPolicy {
  /** Total attempts, including the first (default 4). */
  attempts?: number;
  /** Delay before the second attempt; doubles each time (default 100 ms). */
  baseDelayMs?: number;
  /** Cap on one delay (default 2000 ms). */
  maxDelayMs?: number;
  /** Waits; inject a fake in tests (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
  /** 0 <= x < 1; the delay is scaled by 0.5 + x / 2 (default Math.random). */
  random?: () => number;
  /** Told about each retry, e.g. to log it. */
  onRetry?: (event: { operation: ObjectStoreOperation; key: string; attempt: number; delayMs: number; error: ObjectStoreError }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function withRetries(store: ObjectStore, policy: RetryPolicy = {}): ObjectStore {
  const attempts = policy.attempts ?? 4;
  const base = policy.baseDelayMs ?? 100;
  const cap = policy.maxDelayMs ?? 2000;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`withRetries: attempts must be an integer >= 1, got ${attempts}`);
  if (!(base >= 0) || !(cap >= 0)) throw new RangeError("withRetries: delays must be >= 0");
  const sleep = policy.sleep ?? defaultSleep;
  const random = policy.random ?? Math.random;

  async function run<T>(operation: ObjectStoreOperation, key: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ObjectStoreError) || !error.transient) throw error;
        if (attempt >= attempts) {
          if (attempts === 1) throw error;
          throw new ObjectStoreError(error.operation, error.key, `${error.detail} (gave up after ${attempts} attempts)`, {
            code: error.code,
            transient: true,
            cause: error,
          });
        }
        const delayMs = Math.round(Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + random() / 2));
        policy.onRetry?.({ operation, key, attempt, delayMs, error });
        await sleep(delayMs);
      }
    }
  }

  return {
    put: (key: string, body: Uint8Array | string, options?: PutOptions) => run("put", key, () => store.put(key, body, options)),
    get: (key: string) => run("get", key, () => store.get(key)),
    head: (key: string) => run("head", key, () => store.head(key)),
    list: (prefix?: string) => run("list", prefix ?? "", () => store.list(prefix)),
    listPage: (prefix: string, options?: ListPageOptions) => run("list", prefix, () => store.listPage(prefix, options)),
    delete: (key: string) => run("delete", key, () => store.delete(key)),
  };
}
