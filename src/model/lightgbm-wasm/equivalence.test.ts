// Equivalence with native LightGBM in Node (vitest) and in Deno (deno test), through the file loader.
import { defineEquivalenceTests } from "./equivalence.cases.ts";
import { loadLightGBM } from "./node.ts";

defineEquivalenceTests(typeof (globalThis as { Deno?: unknown }).Deno === "object" ? "Deno" : "Node", () => loadLightGBM());
