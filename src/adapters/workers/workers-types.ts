// Cloudflare Workers types, imported (not global) so that the Node/DOM types of the rest of the
// project do not clash with the Workers runtime's declarations.
export type { ExecutionContext, ExportedHandler, MessageBatch, Queue, R2Bucket, ScheduledController, Workflow } from "@cloudflare/workers-types/index.ts";
