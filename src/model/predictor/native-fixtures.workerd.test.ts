// Native LightGBM's text and predictions, reproduced inside workerd (the serving runtime).
import { defineNativeFixtureTests } from "./native-fixtures.cases.ts";

defineNativeFixtureTests("workerd");
