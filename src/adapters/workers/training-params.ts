/** What a training Workflows instance is started with (src/adapters/workers/training-workflow.ts). */
export interface TrainingParams {
  location: string;
  /** Logical date, KST, YYYY-MM-DD. */
  runDate: string;
  trigger: "cron" | "admin";
  /** The locations of this instance's lane still to train, in order: the instance starts the next one when it ends (src/adapters/workers/training-lanes.ts). */
  then?: string[];
  /** The cron run's tag shared by the lane's instance ids. */
  tag?: string;
}
