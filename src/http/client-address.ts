// The client's network address, as the adapter saw it (not a header a client can set). The Node and
// Deno adapters attach it to the Request under this registered symbol; on Workers, Cloudflare sets
// the cf-connecting-ip header (a client cannot forge it there). Used to key per-client budgets.
export const CLIENT_ADDRESS = Symbol.for("nalssi.clientAddress");

export function attachClientAddress(request: Request, address: string | undefined): Request {
  if (address) Object.defineProperty(request, CLIENT_ADDRESS, { value: address, enumerable: false });
  return request;
}

/** True inside Cloudflare Workers (workerd), where cf-connecting-ip comes from Cloudflare. */
export const ON_WORKERS = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === "Cloudflare-Workers";

export function clientAddressOf(request: Request, workers = ON_WORKERS): string | undefined {
  const attached: unknown = Reflect.get(request, CLIENT_ADDRESS);
  if (typeof attached === "string") return attached;
  return workers ? (request.headers.get("cf-connecting-ip") ?? undefined) : undefined;
}
