// What test/jobs/vitest-global-setup.ts hands to the workerd tests of the data jobs via provide/inject.
export interface JobsTestContext {
  /** e.g. http://127.0.0.1:41234/1360000: the KMA mock (test/kma-mock) with the jobs' datasets. */
  kmaMockUrl: string;
  /** The (made-up) service key the mock accepts. */
  kmaMockServiceKey: string;
  /** A Hrana dev server on its own fresh database, so the jobs' tests do not share the migration tests' one. */
  jobsDbUrl: string;
  jobsDbToken: string;
  /** A Hrana dev server on another fresh database (same token), for the serving test. */
  servingDbUrl: string;
  /** The KMA mock answering at every ASOS station's grid point, and a fresh database (same token), for the scaling test. */
  scaleKmaMockUrl: string;
  scaleDbUrl: string;
}

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface ProvidedContext extends JobsTestContext {}
}
