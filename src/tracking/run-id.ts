// Training run ids: the UTC start second, a hyphen and 8 random hex digits,
// e.g. '20250529T183000Z-3f9a1c2b'. They sort in start order (to the second), are unique without
// coordination, and are valid model version segments for object keys (models/{location}/{runId}/).
import { randomHex } from "../ids/random.ts";
import { modelVersionAt } from "../storage/keys.ts";

export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

/** A new run id for a run that starts at `startedAt` (sub-second parts are dropped). */
export function newRunId(startedAt: Date, suffix: string = randomHex(4)): string {
  if (!/^[0-9a-f]{8}$/.test(suffix)) throw new RangeError(`run id suffix must be 8 lowercase hex digits, got ${JSON.stringify(suffix)}`);
  return `${modelVersionAt(startedAt)}-${suffix}`;
}

export function isRunId(value: unknown): value is string {
  return typeof value === "string" && RUN_ID_PATTERN.test(value);
}
