// `nalssi serve --workers N` on node:cluster (what uvicorn --workers is for Python): the primary
// forks N workers that each run the whole server (their own database connection and model cache) on
// one shared listening port; the kernel spreads connections over them. The primary serves nothing:
//   - it reports the URL once every worker listens;
//   - a worker that dies on its own is replaced, with a log line (and a growing pause if workers keep
//     dying at once, so a broken setup does not fork in a tight loop);
//   - SIGINT / SIGTERM: every worker gets SIGTERM, stops accepting, finishes its requests and exits;
//     the primary exits 0 once all have (workers still running after `stopTimeoutMs` are killed, and
//     the primary exits 1).
import cluster, { type Worker } from "node:cluster";
import process from "node:process";

export interface ClusterOptions {
  workers: number;
  /** One line per event (worker started / died / restarted). */
  log: (line: string) => void;
  /** Wait this long for workers to finish on shutdown (default 15 s). */
  stopTimeoutMs?: number;
}

export interface RunningCluster {
  /** The shared address the workers listen on. */
  address: { host: string; port: number };
  /** Resolves with the exit code once SIGINT/SIGTERM has stopped every worker. */
  stopped: Promise<number>;
}

/** True in a process forked by runCluster (it should run the server itself). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** In a worker: leave the cluster once the server is closed, so the process can exit. */
export function leaveCluster(): void {
  if (cluster.isWorker && cluster.worker?.isConnected()) cluster.worker.disconnect();
}

/** Forks the workers (re-running this command) and supervises them. Primary only. */
export function runCluster(options: ClusterOptions): Promise<RunningCluster> {
  if (!cluster.isPrimary) throw new Error("runCluster must be called in the primary process");
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  let stopping = false;
  const recentDeaths: number[] = [];

  const fork = (): Worker => cluster.fork({ NALSSI_CLUSTER_WORKER: "1" });

  return new Promise<RunningCluster>((resolve, reject) => {
    let listening = 0;
    let address: { host: string; port: number } | null = null;
    const onListening = (worker: Worker, addr: { address: string | null; port: number }) => {
      if (address) return options.log(`worker ${worker.process.pid} listening`);
      if (++listening < options.workers) return;
      address = { host: addr.address ?? "127.0.0.1", port: addr.port };
      resolve({ address, stopped });
    };
    cluster.on("listening", onListening);

    cluster.on("exit", (worker, code, signal) => {
      if (stopping) return;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      if (!address) {
        // A worker that cannot start (port taken, bad settings) fails the whole command.
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
        reject(new Error(`a worker exited before listening (${how})`));
        return;
      }
      const now = Date.now();
      recentDeaths.push(now);
      while (recentDeaths.length && now - recentDeaths[0]! > 60_000) recentDeaths.shift();
      const pauseMs = recentDeaths.length <= options.workers ? 0 : Math.min(30_000, 500 * 2 ** (recentDeaths.length - options.workers));
      options.log(
        `worker ${worker.process.pid} exited (${how}); starting a new one${pauseMs ? ` in ${pauseMs} ms (${recentDeaths.length} exits in the last minute)` : ""}`,
      );
      setTimeout(() => {
        if (!stopping) fork();
      }, pauseMs);
    });

    const stopped = new Promise<number>((done) => {
      const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
        options.log(`${signal}: stopping ${workers.length} worker(s)`);
        let clean = true;
        const exits = workers.map(
          (w) =>
            new Promise<void>((r) => {
              if (w.isDead()) return r();
              w.once("exit", (code, sig) => {
                if (code !== 0) {
                  clean = false;
                  options.log(`worker ${w.process.pid} exited with ${sig ? `signal ${sig}` : `code ${code}`}`);
                }
                r();
              });
              w.process.kill("SIGTERM");
            }),
        );
        const timer = setTimeout(() => {
          clean = false;
          for (const w of workers)
            if (!w.isDead()) {
              options.log(`worker ${w.process.pid} did not stop in ${stopTimeoutMs} ms; killing it`);
              w.process.kill("SIGKILL");
            }
        }, stopTimeoutMs);
        void Promise.all(exits).then(() => {
          clearTimeout(timer);
          done(clean ? 0 : 1);
        });
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
    });

    for (let i = 0; i < options.workers; i++) fork();
  });
}
