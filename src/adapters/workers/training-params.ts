/** What a training Workflows instance is started with (src/adapters/workers/training-workflow.ts). */
export interface TrainingParams {
  location: string;
  /** Logical date, KST, YYYY-MM-DD. */
  runDate: string;
  trigger: "cron" | "admin";
}
