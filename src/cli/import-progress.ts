// Progress of `import` (and the first `start`): parsed, committed in one transaction, then each daily
// CSV partition written — a bar on a terminal, plain lines otherwise (src/cli/progress.ts).
import type { ImportProgress } from "../jobs/import-csv.ts";
import process from "node:process";
import { startProgress, type Progress } from "./progress.ts";

/** `plain`: also write plain lines when stderr is not a terminal (a bar is always drawn on a terminal). */
export function importProgress(
  label: string,
  opts: { plain: boolean; stream?: NodeJS.WriteStream },
): { onProgress: (p: ImportProgress) => void; stop(): void } {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY && !opts.plain) return { onProgress: () => {}, stop: () => {} };
  let progress: Progress | undefined;
  // Steps: 1 commit + one per partition; known once the file is parsed.
  return {
    onProgress: (p) => {
      if (p.phase === "parsed") {
        progress = startProgress(label, 1 + p.days, stream);
        progress.update(0, `${p.rows} rows parsed, writing them in one transaction`);
      } else if (p.phase === "committed") {
        progress?.update(1, `${p.counts.inserted} inserted, ${p.counts.updated} updated, ${p.counts.skipped} skipped; writing daily CSV partitions`);
      } else if (p.done === p.total || p.done % 30 === 0) {
        // A line per 30 partitions when not on a terminal is plenty.
        progress?.update(1 + p.done, `CSV partitions ${p.done}/${p.total}`);
      }
    },
    stop: () => progress?.stop(),
  };
}
