// Deno's own HTTP server for a fetch-style handler (used by `nalssi serve` when run by Deno).
import { attachClientAddress } from "../../http/client-address.ts";
import type { FetchHandler, RunningServer } from "../node/http-server.ts";

interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number; hostname: string }) => void; signal?: AbortSignal },
    handler: (request: Request, info: { remoteAddr?: { hostname?: string } }) => Response | Promise<Response>,
  ): { finished: Promise<void>; addr: { port: number; hostname: string } };
}

/** True when running under Deno. */
export function isDeno(): boolean {
  return typeof (globalThis as { Deno?: unknown }).Deno === "object";
}

export async function startDenoServer(options: { fetch: FetchHandler; port: number; hostname?: string }): Promise<RunningServer> {
  const Deno = (globalThis as { Deno?: DenoServe }).Deno;
  if (!Deno) throw new Error("Deno.serve is only available under Deno");
  const hostname = options.hostname ?? "127.0.0.1";
  const abort = new AbortController();
  let listened!: (addr: { port: number }) => void;
  const listening = new Promise<{ port: number }>((resolve) => (listened = resolve));
  const server = Deno.serve({ port: options.port, hostname, signal: abort.signal, onListen: (addr) => listened(addr) }, (request, info) =>
    options.fetch(attachClientAddress(request, info.remoteAddr?.hostname)),
  );
  const { port } = await listening;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${host}:${port}`,
    port,
    hostname,
    close: async () => {
      abort.abort();
      await server.finished;
    },
  };
}
