// Progress of a pipeline run on the command line: wraps the in-process executor so each step is
// shown as it starts and ends (src/cli/progress.ts: a bar on a terminal, plain lines otherwise).
import type { PipelineExecutor } from "../jobs/pipeline/runner.ts";
import { inProcessExecutor } from "../jobs/pipeline/runner.ts";
import process from "node:process";
import type { Logger } from "../ports/logger.ts";
import { startProgress, type Progress } from "./progress.ts";

export function progressExecutor(
  label: string,
  steps: readonly string[],
  opts: { logger: Logger; stream?: NodeJS.WriteStream },
): { executor: PipelineExecutor; stop(): void } {
  const inner = inProcessExecutor({ logger: opts.logger });
  let progress: Progress | undefined;
  let done = 0;
  // On a terminal the bar also shows which step is running; plain output gets one line per finished step.
  const tty = (opts.stream ?? process.stderr).isTTY === true;
  const show = (text: string) => {
    progress ??= startProgress(label, steps.length, opts.stream);
    progress.update(done, text);
  };
  return {
    executor: {
      once: inner.once,
      step: async (step, attempt) => {
        if (tty) show(`${step.name} ...`);
        try {
          const out = await inner.step(step, attempt);
          done++;
          show(`${step.name} done`);
          return out;
        } catch (e) {
          show(`${step.name} FAILED`);
          throw e;
        }
      },
    },
    stop: () => progress?.stop(),
  };
}
