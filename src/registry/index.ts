// Model registry: versions, aliases, promotion history, rollback and the automatic promotion gate.
export { Registry } from "./registry.ts";
export type { ApplyGateInput, GateOutcome, ManualMoveInput, RegistryDeps, RegistryOverview } from "./registry.ts";
export { getProduction, getAlias, listAliases, moveAlias, aliasMoveStatements, ALIASES, MAX_REASON_LENGTH } from "./aliases.ts";
export type { Actor, AliasMove, AliasName, AliasPointer, ProductionModel, PromotionAction, PromotionEvent } from "./aliases.ts";
export { decidePromotion, resolvePolicy, DEFAULT_GATE_POLICY } from "./gate.ts";
export type { CandidateScore, GateCheck, GateDecision, GateInput, GatePolicy, HoldoutWindow, ProductionRescore } from "./gate.ts";
export { listHistory, productionEvents, productionStack, rollbackTarget } from "./history.ts";
export { getVersion, listVersions, registerVersion, requireVersion } from "./versions.ts";
export type { ModelVersion, RegisterOptions } from "./versions.ts";
export {
  AliasConflictError,
  GateInputError,
  PromotionError,
  ProductionRescoreRequiredError,
  RegistrationError,
  VersionNotFoundError,
  WrongLocationError,
} from "./errors.ts";
