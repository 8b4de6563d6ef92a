// CLI exit codes: 0 ok, 1 failure, 2 usage. A UsageError means the command line itself was wrong.
export class UsageError extends Error {
  override name = "UsageError";
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
