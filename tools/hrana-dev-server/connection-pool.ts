// A pool of connection worker threads. A stream leases one worker for its whole life; the worker
// opens a fresh SQLite connection for the stream and closes it when the stream ends. Idle workers
// are kept for reuse (starting a thread is the slow part, not opening a connection).
import { Worker } from "node:worker_threads";
import type { WorkerCall, WorkerReply, WorkerRequest } from "./protocol.ts";

type Pending = { resolve: (reply: WorkerReply) => void; reject: (e: Error) => void };

export class ConnectionWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #dead: Error | undefined;

  constructor() {
    this.#worker = new Worker(new URL("./connection-worker.ts", import.meta.url));
    this.#worker.on("message", (reply: WorkerReply) => {
      const p = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      p?.resolve(reply);
    });
    const die = (e: Error) => {
      this.#dead ??= e;
      for (const p of this.#pending.values()) p.reject(e);
      this.#pending.clear();
    };
    this.#worker.on("error", (e) => die(new Error(`connection worker failed: ${e.message}`)));
    this.#worker.on("exit", (code) => die(new Error(`connection worker exited (code ${code})`)));
  }

  get dead(): boolean {
    return this.#dead !== undefined;
  }

  call(msg: WorkerCall): Promise<WorkerReply> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...msg, id } as WorkerRequest);
    });
  }

  async terminate(): Promise<void> {
    this.#dead ??= new Error("connection worker was terminated");
    await this.#worker.terminate();
  }
}

export class ConnectionPool {
  readonly #max: number;
  readonly #idle: ConnectionWorker[] = [];
  readonly #all = new Set<ConnectionWorker>();
  readonly #waiters: { resolve: (w: ConnectionWorker) => void; reject: (e: Error) => void }[] = [];
  #closed = false;

  constructor(max: number) {
    this.#max = max;
  }

  /** A worker for a new stream; waits when `max` streams are open. */
  acquire(): Promise<ConnectionWorker> {
    if (this.#closed) return Promise.reject(new Error("the server is shutting down"));
    let w = this.#idle.pop();
    while (w?.dead) {
      this.#all.delete(w);
      w = this.#idle.pop();
    }
    if (w) return Promise.resolve(w);
    if (this.#all.size < this.#max) {
      const fresh = new ConnectionWorker();
      this.#all.add(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  release(w: ConnectionWorker): void {
    if (this.#closed || w.dead) {
      this.#all.delete(w);
      void w.terminate();
      if (!this.#closed && this.#waiters.length > 0 && this.#all.size < this.#max) {
        const fresh = new ConnectionWorker();
        this.#all.add(fresh);
        this.#waiters.shift()!.resolve(fresh);
      }
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(w);
    else this.#idle.push(w);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.reject(new Error("the server is shutting down"));
    const all = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}
