// Progress of a long command on stderr: a cli-progress bar when stderr is a terminal, one plain line
// per step otherwise (logs, CI, pipes).
import process from "node:process";
import cliProgress from "cli-progress";

export interface Progress {
  /** `done` of `total` steps finished; `text` says what the last one did. */
  update(done: number, text: string): void;
  stop(): void;
}

export function startProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {value}/{total} | {text}`, hideCursor: true, clearOnComplete: false, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { text: "" });
    return { update: (done, text) => bar.update(done, { text }), stop: () => bar.stop() };
  }
  return {
    update: (done, text) => void stream.write(`${label} ${done}/${total}: ${text}\n`),
    stop: () => {},
  };
}
