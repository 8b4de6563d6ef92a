// A small per-client budget of failures (a token bucket per key, in memory, per process or isolate):
// each failure takes one token, tokens come back at a fixed rate, and an empty bucket means "wait".
// The map is bounded: full buckets are dropped first, then the oldest.

export interface FailureBudgetOptions {
  /** Failures allowed in a burst. */
  burst: number;
  /** Milliseconds for one token to come back. */
  refillMs: number;
  /** Clients tracked at once. */
  maxClients?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class FailureBudget {
  readonly #o: Required<FailureBudgetOptions>;
  readonly #buckets = new Map<string, Bucket>();
  constructor(o: FailureBudgetOptions) {
    this.#o = { maxClients: 10_000, now: () => Date.now(), ...o };
  }

  #bucket(key: string): Bucket {
    const now = this.#o.now();
    const b = this.#buckets.get(key);
    if (!b) return { tokens: this.#o.burst, at: now };
    const back = Math.floor((now - b.at) / this.#o.refillMs);
    if (back > 0) {
      b.tokens = Math.min(this.#o.burst, b.tokens + back);
      b.at = b.tokens === this.#o.burst ? now : b.at + back * this.#o.refillMs;
    }
    return b;
  }

  /** 0 when the client may try now; else the seconds until it may (for Retry-After). */
  retryAfterSeconds(key: string): number {
    const b = this.#bucket(key);
    if (b.tokens > 0) return 0;
    return Math.max(1, Math.ceil((b.at + this.#o.refillMs - this.#o.now()) / 1000));
  }

  /** Records one failure. */
  fail(key: string): void {
    const b = this.#bucket(key);
    b.tokens = Math.max(0, b.tokens - 1);
    this.#buckets.delete(key);
    this.#buckets.set(key, b); // most recent last
    if (this.#buckets.size > this.#o.maxClients) this.#prune();
  }

  #prune(): void {
    for (const key of [...this.#buckets.keys()]) {
      if (this.#buckets.size <= this.#o.maxClients) return;
      if (this.#bucket(key).tokens >= this.#o.burst) this.#buckets.delete(key);
    }
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#o.maxClients) return;
      this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}
