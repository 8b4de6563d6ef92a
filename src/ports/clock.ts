// Port: the current time. Inject a fixed clock in tests; all times are UTC instants.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let t = new Date(at).getTime();
  return {
    now: () => new Date(t),
    set: (v) => void (t = new Date(v).getTime()),
    advance: (ms) => void (t += ms),
  };
}
