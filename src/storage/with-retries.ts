// Retries an ObjectStore's transient faults (ObjectStoreError with `transient: true`) with capped
// exponential backoff and jitter. Safe for every operation: put is idempotent by key (a repeat
// writes the same object again), delete of a missing key is a no-op, reads have no effects.
// Anything else (bad keys, conflicts, integrity faults, errors that are not ObjectStoreError) is
// thrown at once. After the last attempt the final error is thrown, saying how many were made.
import { ObjectStoreError } from "../ports/object-store.ts";
import type { ListPageOptions, ObjectStore, ObjectStoreOperation, PutOptions } from "../ports/object-store.ts";

import { validateRetryPolicy, withRetry } from "../retry/policy.ts";
import type { RetryHooks, RetryPolicy } from "../retry/policy.ts";

/**
 * The store's retry policy: attempts (default 4, including the first), baseDelayMs (default 100 ms,
 * doubles each retry), maxDelayMs (default 2000 ms); equal jitter, transient faults only. `sleep` and
 * `random` may be injected (tests).
 */
export interface StoreRetryOptions extends Partial<Pick<RetryPolicy, "attempts" | "baseDelayMs" | "maxDelayMs">>, Omit<RetryHooks, "onRetry"> {
  /** Told about each retry, e.g. to log it. */
  onRetry?: (event: { operation: ObjectStoreOperation; key: string; attempt: number; delayMs: number; error: ObjectStoreError }) => void;
}

const isTransient = (error: unknown): boolean => error instanceof ObjectStoreError && error.transient;

export function withRetries(store: ObjectStore, options: StoreRetryOptions = {}): ObjectStore {
  const policy: RetryPolicy = {
    attempts: options.attempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 2000,
    jitter: "equal",
    retryable: isTransient,
  };
  validateRetryPolicy(policy, "withRetries");

  async function run<T>(operation: ObjectStoreOperation, key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(call, policy, {
        sleep: options.sleep,
        random: options.random,
        onRetry: ({ attempt, delayMs, error }) => options.onRetry?.({ operation, key, attempt, delayMs, error: error as ObjectStoreError }),
      });
    } catch (error) {
      // A transient fault that escaped was retried until the attempts ran out.
      if (!isTransient(error) || policy.attempts === 1) throw error;
      const e = error as ObjectStoreError;
      throw new ObjectStoreError(e.operation, e.key, `${e.detail} (gave up after ${policy.attempts} attempts)`, {
        code: e.code,
        transient: true,
        cause: e,
      });
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
