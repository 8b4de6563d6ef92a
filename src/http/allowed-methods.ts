// 405 instead of 404 for a path that exists with other methods (TRACE, DELETE, OPTIONS, PATCH ...):
// the methods each path answers are read from the app's own route table once, after every route
// is registered, so the Allow header cannot drift from the routes.
import type { Hono } from "hono";

interface RouteEntry {
  method: string;
  path: string;
}

/** A Hono path pattern as a RegExp: `:name` and `:name{re}` are one segment (or `re`), `*` anything. */
function patternToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === ":") {
      const m = /^:[A-Za-z0-9_]+(\{((?:[^{}]|\{[^{}]*\})*)\})?\??/.exec(pattern.slice(i));
      if (m) {
        re += m[2] ? `(?:${m[2]})` : "[^/]+";
        i += m[0].length;
        continue;
      }
    }
    re += ch === "*" ? ".*" : ch.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
    i++;
  }
  return new RegExp(`^${re}/?$`);
}

/** allowed(pathname): the methods some route answers at that path ([] when none), HEAD with GET. */
export function allowedMethodsOf(app: Pick<Hono, "routes">): (pathname: string) => string[] {
  let table: { re: RegExp; method: string }[] | undefined;
  return (pathname) => {
    table ??= (app.routes as readonly RouteEntry[])
      .filter((r) => r.method !== "ALL")
      .map((r) => ({ re: patternToRegExp(r.path), method: r.method.toUpperCase() }));
    const methods = new Set<string>();
    for (const r of table) if (r.re.test(pathname)) methods.add(r.method);
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
