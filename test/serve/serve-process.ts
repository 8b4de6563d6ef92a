// Node helper: `nalssi serve` as a user starts it (the real bin in a child process), on a free
// loopback port; resolves with its URL once it prints it.
import { type ChildProcess, spawn } from "node:child_process";

const bin = new URL("../../bin/nalssi.js", import.meta.url).pathname;

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
  stop(): Promise<number | null>;
}

export function startServeProcess(dataDir: string, env: Record<string, string> = {}, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--data-dir", dataDir, ...args], {
    env: { ...process.env, LIBSQL_URL: "", LIBSQL_AUTH_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nalssi serve did not start in 30 s: ${err}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          child,
          stderr: () => err,
          stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`nalssi serve exited with ${code}: ${err}`));
    });
  });
}
