// The model registry: versions per location, the `production` / `candidate` aliases (MLflow 2.9+
// aliases instead of stages), manual promotion and rollback, and the automatic promotion gate.
//
// The training pipeline calls, after a run succeeded:
//   const v = await registry.register(runId);
//   const prod = await registry.getProduction(location);          // null the first time
//   const rescore = prod && { version: prod.version, window: { from: v.holdout.from, to: v.holdout.to, n: v.holdout.n },
//                             rmse: <RMSE of prod's model on exactly v's holdout rows> };
//   const { decision } = await registry.applyGate({ location, version: v.version, productionRescore: rescore });
// and the edge polls registry.getProduction(location) (or the standalone getProduction(db, location)).
import type { Clock } from "../ports/clock.ts";
import { systemClock } from "../ports/clock.ts";
import type { Database } from "../ports/database.ts";
import type { Logger } from "../ports/logger.ts";
import { silentLogger } from "../ports/logger.ts";
import { type ObjectStore, ObjectStoreError } from "../ports/object-store.ts";
import { sha256Hex } from "../ids/sha256.ts";
import { ArtifactIntegrityError } from "../tracking/errors.ts";
import { toJsonObject } from "../tracking/json.ts";
import { getAlias, getProduction, listAliases, moveAlias } from "./aliases.ts";
import type { AliasPointer, PromotionEvent, ProductionModel } from "./aliases.ts";
import { AliasConflictError, GateInputError, PromotionError, ProductionRescoreRequiredError } from "./errors.ts";
import { decidePromotion } from "./gate.ts";
import type { GateDecision, GatePolicy, LeadScore, ProductionRescore } from "./gate.ts";
import { listHistory, productionEvents, rollbackTarget } from "./history.ts";
import { requireRun } from "../tracking/runs.ts";
import { writeCompiledModel } from "./compiled.ts";
import { checkLocation, listVersions, registerVersion, requireVersion } from "./versions.ts";
import type { ModelVersion, RegisterOptions } from "./versions.ts";

export interface RegistryDeps {
  db: Database;
  clock?: Clock;
  logger?: Logger;
  /**
   * When given, the model and feature spec of a version are read and their SHA-256 checked before
   * it becomes production (so production never points at a missing or damaged file).
   */
  objects?: ObjectStore;
}

export interface ManualMoveInput {
  location: string;
  /** Why (recorded in the history). */
  reason?: string;
  /** Who (recorded in the history). */
  by: string;
}

export interface ApplyGateInput {
  location: string;
  /** The newly registered version. */
  version: string;
  /**
   * The CURRENT production model re-scored on this version's holdout window (same from, to and rows).
   * Required when the location has a production version; null when it has none.
   */
  productionRescore: ProductionRescore | null;
  /** Per-lead holdout scores of an hourly model set (the gate then judges every lead). */
  leads?: readonly LeadScore[];
  policy?: Partial<GatePolicy>;
  /** Recorded as the actor (default 'gate'). */
  gateName?: string;
}

export interface GateOutcome {
  decision: GateDecision;
  /** The history rows written: the production move (+ candidate clear), or the candidate move. */
  events: PromotionEvent[];
}

export interface RegistryOverview {
  versions: ModelVersion[];
  aliases: AliasPointer[];
  history: PromotionEvent[];
}

export class Registry {
  readonly #db: Database;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #objects: ObjectStore | undefined;

  constructor(deps: RegistryDeps) {
    this.#db = deps.db;
    this.#clock = deps.clock ?? systemClock;
    this.#logger = deps.logger ?? silentLogger;
    this.#objects = deps.objects;
  }

  /** Makes a succeeded run a version of its location (see versions.ts for the version name). */
  async register(runId: string, options: RegisterOptions = {}): Promise<ModelVersion> {
    let compiled = options.compiled ?? null;
    if (compiled === null && this.#objects !== undefined) compiled = await this.#compile(runId, options);
    const v = await registerVersion(this.#db, this.#clock, runId, { ...options, compiled });
    this.#logger.info("model version registered", { location: v.location, version: v.version, runId, compiled: v.compiled !== null });
    return v;
  }

  /** Writes the compiled model beside model.txt (src/registry/compiled.ts); null when the texts do not compile. */
  async #compile(runId: string, options: RegisterOptions): Promise<{ key: string; sha256: string } | null> {
    const run = await requireRun(this.#db, runId);
    const model = run.artifacts.find((a) => a.name === (options.modelArtifact ?? "model.txt"));
    const spec = run.artifacts.find((a) => a.name === (options.featureSpecArtifact ?? "features.json"));
    if (!model || !spec || run.status !== "succeeded") return null; // registerVersion names the problem
    const out = await writeCompiledModel(this.#objects!, model, spec);
    if ("skipped" in out) {
      this.#logger.warn("model version not compiled; serving will parse its text", { location: run.location, runId, error: out.skipped });
      return null;
    }
    return out;
  }

  /** The version; VersionNotFoundError, or WrongLocationError when it belongs to another location. */
  getVersion(location: string, version: string): Promise<ModelVersion> {
    return requireVersion(this.#db, location, version);
  }

  listVersions(filter: { location?: string; limit?: number } = {}): Promise<ModelVersion[]> {
    return listVersions(this.#db, filter);
  }

  getProduction(location: string): Promise<ProductionModel | null> {
    return getProduction(this.#db, location);
  }

  getAliases(location?: string): Promise<AliasPointer[]> {
    return listAliases(this.#db, location);
  }

  history(filter: { location?: string; limit?: number } = {}): Promise<PromotionEvent[]> {
    return listHistory(this.#db, filter);
  }

  /** Versions, aliases and recent history (what `nalssi models` shows). */
  async overview(location?: string, limits: { versions?: number; history?: number } = {}): Promise<RegistryOverview> {
    const filter = location === undefined ? {} : { location };
    return {
      versions: await listVersions(this.#db, { ...filter, limit: limits.versions ?? 100 }),
      aliases: await listAliases(this.#db, location),
      history: await listHistory(this.#db, { ...filter, limit: limits.history ?? 50 }),
    };
  }

  async #verifyArtifacts(v: ModelVersion): Promise<void> {
    const objects = this.#objects;
    if (objects === undefined) return;
    for (const [what, a] of [
      ["model", v.model],
      ["feature spec", v.featureSpec],
    ] as const) {
      let obj;
      try {
        obj = await objects.get(a.key);
      } catch (e) {
        // A body without its sidecar, or one that no longer matches it (model.txt overwritten in
        // the folder store): the bytes are not the registered ones, as when the checksum differs.
        if (e instanceof ObjectStoreError && e.code === "integrity") {
          throw new ArtifactIntegrityError(
            `the ${what} of ${v.location} version ${v.version} (${a.key}) failed the object store's integrity check: ${e.detail}`,
          );
        }
        throw e;
      }
      if (obj === null) throw new ArtifactIntegrityError(`the ${what} of ${v.location} version ${v.version} (${a.key}) is missing from the object store`);
      const sha = await sha256Hex(obj.body);
      if (sha !== a.sha256)
        throw new ArtifactIntegrityError(`the ${what} of ${v.location} version ${v.version} (${a.key}) has SHA-256 ${sha}, registered ${a.sha256}`);
    }
  }

  /** A person makes `version` production (no gate). The candidate alias is cleared if it pointed there. */
  async promote(input: ManualMoveInput & { version: string }): Promise<PromotionEvent[]> {
    const v = await requireVersion(this.#db, input.location, input.version);
    const current = await getAlias(this.#db, input.location, "production");
    if (current?.version === v.version) throw new PromotionError(`version ${v.version} is already production for ${input.location}`);
    await this.#verifyArtifacts(v);
    const events = await moveAlias(this.#db, {
      location: input.location,
      alias: "production",
      to: v.version,
      expectedFrom: current?.version ?? null,
      action: "promote",
      actor: { kind: "person", name: input.by },
      reason: input.reason ?? "manual promotion",
      at: this.#clock.now(),
      clearCandidate: true,
    });
    this.#logger.info("production promoted", { location: input.location, from: current?.version ?? null, to: v.version, by: input.by });
    return events;
  }

  /** A person moves production back to the version it pointed to before (by the history). */
  async rollback(input: ManualMoveInput): Promise<PromotionEvent> {
    checkLocation(input.location);
    const current = await getAlias(this.#db, input.location, "production");
    if (current === null) throw new PromotionError(`${input.location} has no production version to roll back`);
    const target = rollbackTarget(await productionEvents(this.#db, input.location));
    if (target === null)
      throw new PromotionError(`${input.location} has no earlier production version to roll back to (production ${current.version} is the first)`);
    if (target.current !== current.version) {
      throw new AliasConflictError(`production of ${input.location} is ${current.version} but its history ends at ${target.current}; nothing was changed`);
    }
    const v = await requireVersion(this.#db, input.location, target.target);
    await this.#verifyArtifacts(v);
    const [event] = await moveAlias(this.#db, {
      location: input.location,
      alias: "production",
      to: target.target,
      expectedFrom: current.version,
      action: "rollback",
      actor: { kind: "person", name: input.by },
      reason: input.reason ?? `rollback from ${current.version}`,
      at: this.#clock.now(),
    });
    this.#logger.info("production rolled back", { location: input.location, from: current.version, to: target.target, by: input.by });
    return event!;
  }

  /**
   * The automatic gate: decides with decidePromotion and records the outcome — production moves to
   * the version (clearing the candidate if it pointed there), or the version becomes the candidate —
   * with the decision and its reason in the history.
   */
  async applyGate(input: ApplyGateInput): Promise<GateOutcome> {
    const v = await requireVersion(this.#db, input.location, input.version);
    const production = await getAlias(this.#db, input.location, "production");
    const rescore = input.productionRescore;
    if (production !== null && rescore == null) {
      throw new ProductionRescoreRequiredError(
        `${input.location} has production version ${production.version}: re-score it on ${v.version}'s holdout window ${v.holdout.from}..${v.holdout.to} (n=${v.holdout.n}) and pass its RMSE as productionRescore`,
      );
    }
    if (production === null && rescore != null) {
      throw new GateInputError(`${input.location} has no production version, but a production re-score of ${rescore.version} was given`);
    }
    if (production !== null && rescore!.version !== production.version) {
      throw new AliasConflictError(
        `production of ${input.location} is ${production.version}, but the re-score is of ${rescore!.version}: re-score the current production`,
      );
    }
    const decision = decidePromotion(
      {
        candidate: {
          version: v.version,
          window: { from: v.holdout.from, to: v.holdout.to, n: v.holdout.n },
          rmse: v.holdout.rmse,
          persistenceRmse: v.holdout.persistenceRmse,
        },
        production: rescore ?? null,
        ...(input.leads ? { leads: input.leads } : {}),
      },
      input.policy,
    );
    const actor = { kind: "gate" as const, name: input.gateName ?? "gate" };
    const at = this.#clock.now();
    let events: PromotionEvent[];
    if (decision.promote) {
      await this.#verifyArtifacts(v);
      events = await moveAlias(this.#db, {
        location: input.location,
        alias: "production",
        to: v.version,
        expectedFrom: production?.version ?? null,
        action: "gate_promote",
        actor,
        reason: decision.reason,
        decision: toJsonObject(decision, "gate decision"),
        at,
        clearCandidate: true,
      });
    } else {
      const candidate = await getAlias(this.#db, input.location, "candidate");
      events = await moveAlias(this.#db, {
        location: input.location,
        alias: "candidate",
        to: v.version,
        expectedFrom: candidate?.version ?? null,
        action: "gate_candidate",
        actor,
        reason: decision.reason,
        decision: toJsonObject(decision, "gate decision"),
        at,
      });
    }
    this.#logger.info("promotion gate decided", { location: input.location, version: v.version, promote: decision.promote, reason: decision.reason });
    return { decision, events };
  }
}
