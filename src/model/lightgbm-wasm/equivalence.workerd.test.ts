// Equivalence with native LightGBM inside workerd, with the wasm imported as a precompiled module.
import { defineEquivalenceTests } from "./equivalence.cases.ts";
import { loadLightGBM } from "./worker.ts";

defineEquivalenceTests("workerd", () => loadLightGBM());
