// The ceiling for `npm run bench:serve`: the least a Node HTTP server can do for our requests. It
// reads the whole body, JSON.parses it (as the API must), and answers a small JSON object with a
// content-length. Prints its URL on stdout; runs until SIGTERM. node:http only, no framework.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    let n = 0;
    if (chunks.length) {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { instances?: unknown[] };
      n = Array.isArray(body.instances) ? body.instances.length : 1;
    }
    const out = JSON.stringify({ model: { version: "ceiling" }, predictions: new Array(n).fill(1.25) });
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(out) });
    res.end(out);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ceiling: serving on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
});
