// The daily training of many locations inside Cloudflare's limits: ONE Workflows instance per
// location, at most TRAIN_MAX_CONCURRENT of them running at a time. The cron splits the configured
// locations round-robin into that many lanes and starts only the head of each lane; an instance,
// when its pipeline has finished (succeeded or failed), starts the next location of its lane in a
// durable step (`start_next`). So the cap holds by construction, with no shared semaphore to poll
// and no instance sleeping while it waits for a slot, and the cron invocation makes at most
// TRAIN_MAX_CONCURRENT create() subrequests whatever the number of locations.
// Instance ids are deterministic within one cron run (`train-<location>-<date>-<lane tag>`): a
// retried `start_next` finds the instance it already created and does not start a second one.
import type { Logger } from "../../ports/logger.ts";
import type { TrainingParams } from "./training-params.ts";
import type { Workflow } from "./workers-types.ts";

/** Default cap on training instances running at once (override with TRAIN_MAX_CONCURRENT). */
export const DEFAULT_TRAIN_MAX_CONCURRENT = 4;

export function trainMaxConcurrent(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return DEFAULT_TRAIN_MAX_CONCURRENT;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`TRAIN_MAX_CONCURRENT must be a whole number from 1 to 1000, got ${JSON.stringify(value)}`);
  return n;
}

/** Location ids split round-robin into at most `max` lanes, in configured order. */
export function trainingLanes(ids: readonly string[], max: number): string[][] {
  const lanes: string[][] = Array.from({ length: Math.min(max, ids.length) }, () => []);
  ids.forEach((id, k) => lanes[k % lanes.length]!.push(id));
  return lanes;
}

export function instanceId(location: string, runDate: string, tag: string): string {
  return `train-${location}-${runDate}-${tag}`;
}

/** Creates the instance unless one with this id exists already (a retried step). */
async function createOnce(wf: Workflow<TrainingParams>, id: string, params: TrainingParams): Promise<boolean> {
  try {
    await wf.get(id);
    return false;
  } catch {
    await wf.create({ id, params });
    return true;
  }
}

/** The cron's part: the head instance of each lane, carrying the rest of its lane in `then`. */
export async function startTrainingLanes(
  wf: Workflow<TrainingParams>,
  o: { locations: readonly string[]; runDate: string; trigger: TrainingParams["trigger"]; maxConcurrent: number; tag: string; logger: Logger },
): Promise<{ started: string[]; queued: number }> {
  const lanes = trainingLanes(o.locations, o.maxConcurrent);
  const started: string[] = [];
  for (const [lane, [head, ...then]] of lanes.entries()) {
    const id = instanceId(head!, o.runDate, o.tag);
    await createOnce(wf, id, { location: head!, runDate: o.runDate, trigger: o.trigger, then, tag: o.tag });
    started.push(id);
    o.logger.info("training workflow started", { instance: id, location: head, run_date: o.runDate, lane, then });
  }
  return { started, queued: o.locations.length - started.length };
}

/** An instance's last step: starts the next location of its lane, if any. Returns its instance id. */
export async function startNextInLane(wf: Workflow<TrainingParams>, p: TrainingParams, fallbackTag: string): Promise<string | null> {
  const [next, ...then] = p.then ?? [];
  if (next === undefined) return null;
  const tag = p.tag ?? fallbackTag;
  const id = instanceId(next, p.runDate, tag);
  await createOnce(wf, id, { location: next, runDate: p.runDate, trigger: p.trigger, then, tag });
  return id;
}
