// Errors of the migration runner. Each names the migration and what to do about it.

export class MigrationError extends Error {
  override name = "MigrationError";
}

/** The list of migrations compiled into this code is malformed (bad id, order, forbidden statement). */
export class InvalidMigrationError extends MigrationError {
  override name = "InvalidMigrationError";
}

/** An applied migration's SQL was edited afterwards: its checksum no longer matches the record. */
export class MigrationChecksumMismatchError extends MigrationError {
  override name = "MigrationChecksumMismatchError";
  readonly migrationId: string;
  readonly recordedChecksum: string;
  readonly codeChecksum: string;
  constructor(migrationId: string, recordedChecksum: string, codeChecksum: string) {
    super(
      `migration ${migrationId} was applied with checksum ${recordedChecksum} but its SQL in this code has checksum ${codeChecksum}: ` +
        `an applied migration must never be edited; restore its original SQL and put the change in a new migration`,
    );
    this.migrationId = migrationId;
    this.recordedChecksum = recordedChecksum;
    this.codeChecksum = codeChecksum;
  }
}

/** The database records migrations this code does not have: it was migrated by a newer version. */
export class UnknownMigrationError extends MigrationError {
  override name = "UnknownMigrationError";
  readonly migrationIds: readonly string[];
  constructor(migrationIds: readonly string[]) {
    super(
      `the database has migration${migrationIds.length > 1 ? "s" : ""} ${migrationIds.join(", ")} that this code does not know: ` +
        `its schema is newer than this code; deploy the newer code instead of running this one against it`,
    );
    this.migrationIds = migrationIds;
  }
}

/** A pending migration sorts before one that is already applied (a migration was added out of order). */
export class MigrationOrderError extends MigrationError {
  override name = "MigrationOrderError";
  readonly pendingId: string;
  readonly appliedId: string;
  constructor(pendingId: string, appliedId: string) {
    super(
      `migration ${pendingId} is not applied but the later migration ${appliedId} is: migrations must be added in order; ` +
        `rename ${pendingId} so that it sorts after ${appliedId}`,
    );
    this.pendingId = pendingId;
    this.appliedId = appliedId;
  }
}

/**
 * A migration's SQL failed. Normally nothing of it was kept (`rolledBack`: the runner saw that no
 * record was written). When the database could not even be asked afterwards (connection lost),
 * the outcome is unknown: running the migrations again is safe and settles it.
 */
export class MigrationFailedError extends MigrationError {
  override name = "MigrationFailedError";
  readonly migrationId: string;
  readonly rolledBack: boolean;
  constructor(migrationId: string, cause: unknown, rolledBack = true) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      rolledBack
        ? `migration ${migrationId} failed and was rolled back: ${reason}`
        : `migration ${migrationId} failed and its outcome is unknown (the database could not be asked afterwards): ${reason}; run the migrations again, that is safe`,
      { cause },
    );
    this.migrationId = migrationId;
    this.rolledBack = rolledBack;
  }
}

/** Another writer held the database's write lock for longer than the runner was willing to wait. */
export class MigrationLockTimeoutError extends MigrationError {
  override name = "MigrationLockTimeoutError";
  readonly waitedMs: number;
  constructor(waitedMs: number, cause: unknown) {
    super(`could not get the database write lock to migrate within ${waitedMs} ms (another writer kept it)`, { cause });
    this.waitedMs = waitedMs;
  }
}
