// What the vitest globalSetup (vitest-global-setup.ts) hands to the workerd tests via provide/inject.
export interface HranaDevServerContext {
  /** http://127.0.0.1:<port> of a dev server on a fresh, empty database file. */
  hranaDevServerUrl: string;
  /** The bearer token that server requires. */
  hranaDevServerToken: string;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface ProvidedContext extends HranaDevServerContext {}
}
