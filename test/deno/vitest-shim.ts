// Lets the runtime-agnostic `*.test.ts` files (written against vitest's API) run under `deno test`:
// deno.json maps the "vitest" import here. describe/it/test register Deno.test cases; expect is
// Jest's own `expect` (the API vitest's expect follows). Only what our tests use is provided.
import { expect } from "expect";

declare const Deno: {
  test(def: { name: string; fn: () => unknown; sanitizeResources?: boolean; sanitizeOps?: boolean; ignore?: boolean }): void;
};

type Hook = () => unknown;
interface Suite {
  name: string;
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
  parent: Suite | undefined;
  pending: number;
  ready?: Promise<void>;
}

const root: Suite = { name: "", beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], parent: undefined, pending: 0 };
let current = root;

function chain(s: Suite): Suite[] {
  const out: Suite[] = [];
  for (let x: Suite | undefined = s; x; x = x.parent) out.unshift(x);
  return out;
}

async function ensureReady(s: Suite): Promise<void> {
  if (s.parent) await ensureReady(s.parent);
  s.ready ??= (async () => {
    for (const h of s.beforeAll) await h();
  })();
  await s.ready;
}

function register(name: string, fn: (() => unknown) | undefined, ignore = false) {
  const suite = current;
  const full = [
    ...chain(suite)
      .map((s) => s.name)
      .filter(Boolean),
    name,
  ].join(" > ");
  for (const s of chain(suite)) s.pending++;
  Deno.test({
    name: full,
    ignore,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      try {
        await ensureReady(suite);
        for (const s of chain(suite)) for (const h of s.beforeEach) await h();
        try {
          await fn?.();
        } finally {
          for (const s of chain(suite).reverse()) for (const h of s.afterEach) await h();
        }
      } finally {
        for (const s of chain(suite).reverse()) {
          if (--s.pending === 0) for (const h of s.afterAll) await h();
        }
      }
    },
  });
}

type TestFn = (name: string, fn?: () => unknown, timeout?: number) => void;
interface TestApi extends TestFn {
  skip: TestFn;
  skipIf: (cond: unknown) => TestFn;
  each: <T>(cases: readonly T[]) => (name: string, fn: (c: T) => unknown) => void;
}

function makeTest(): TestApi {
  const t = ((name: string, fn?: () => unknown) => register(name, fn)) as TestApi;
  t.skip = (name) => register(name, undefined, true);
  t.skipIf = (cond) => (name, fn) => register(name, fn, Boolean(cond));
  t.each = (cases) => (name, fn) => {
    cases.forEach((c, i) => register(`${name} [${i}] ${JSON.stringify(c)}`, () => fn(c)));
  };
  return t;
}

export const it = makeTest();
export const test = it;

export function describe(name: string, fn: () => void): void {
  const parent = current;
  current = { name, beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], parent, pending: 0 };
  try {
    fn();
  } finally {
    current = parent;
  }
}

export const beforeAll = (h: Hook) => void current.beforeAll.push(h);
export const afterAll = (h: Hook) => void current.afterAll.push(h);
export const beforeEach = (h: Hook) => void current.beforeEach.push(h);
export const afterEach = (h: Hook) => void current.afterEach.push(h);
export { expect };
