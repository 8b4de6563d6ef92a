// Native LightGBM's text and predictions, reproduced in Node (vitest) and Deno (deno test).
import { defineNativeFixtureTests } from "./native-fixtures.cases.ts";

defineNativeFixtureTests(typeof (globalThis as { Deno?: unknown }).Deno === "object" ? "Deno" : "Node");
