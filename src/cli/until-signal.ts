// Long-running commands (serve, start) run until SIGINT/SIGTERM, then stop cleanly once.
import process from "node:process";

/** Resolves after the first SIGINT or SIGTERM has been handled by `stop` (whether it succeeds or not). */
export function untilSignal(stop: () => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      void stop().then(
        () => resolve(),
        () => resolve(),
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
