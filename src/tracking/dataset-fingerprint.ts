// The fingerprint of a training set: how many rows, which issue-time range, which features (and the
// feature catalogue version), and the SHA-256 of the matrix and labels. Two runs trained on the same
// data have the same hash; any changed value, row or column order changes it.
//
// The hashed bytes (format "nalssi-dataset-v1"):
//   "nalssi-dataset-v1\n" + rows + "\n" + cols + "\n" + JSON.stringify(featureNames) + "\n"   (UTF-8)
//   then the matrix, row-major, each value as IEEE 754 float64 little-endian,
//   then the labels, the same way.
// Every NaN (missing value) is hashed as the canonical quiet NaN 0x7ff8000000000000, whatever its
// payload; -0 and 0 stay distinct (they are different inputs to LightGBM's split rules).
import { toUtcSecond } from "../db/utc-time.ts";
import { sha256Hex } from "../ids/sha256.ts";
import { TrackingInputError } from "./errors.ts";

export const DATASET_HASH_FORMAT = "nalssi-dataset-v1";

export interface DatasetFingerprint {
  rows: number;
  /** First issue hour of the training rows, UTC. */
  from: string;
  /** End of the training rows' issue hours (exclusive), UTC. */
  to: string;
  features: string[];
  /** The feature catalogue version the rows were built with (FeatureSpec.version). */
  featureSpecVersion: string;
  /** Lowercase hex SHA-256 of the matrix and labels (see the file comment). */
  sha256: string;
}

export interface DatasetInput {
  /** Row-major matrix, rows x features.length. */
  data: ArrayLike<number>;
  labels: ArrayLike<number>;
  features: readonly string[];
  from: Date | string | number;
  to: Date | string | number;
  featureSpecVersion: string;
}

function utc(value: Date | string | number, what: string): string {
  try {
    return toUtcSecond(typeof value === "number" ? new Date(value) : value, what);
  } catch (e) {
    throw new TrackingInputError(`dataset ${(e as Error).message}`);
  }
}

/** The bytes that are hashed (exported for tests and for anyone re-deriving a hash elsewhere). */
export function datasetHashBytes(data: ArrayLike<number>, labels: ArrayLike<number>, features: readonly string[]): Uint8Array {
  const rows = labels.length;
  const cols = features.length;
  if (data.length !== rows * cols) {
    throw new TrackingInputError(`dataset matrix has ${data.length} values; ${rows} rows x ${cols} features need ${rows * cols}`);
  }
  const header = new TextEncoder().encode(`${DATASET_HASH_FORMAT}\n${rows}\n${cols}\n${JSON.stringify(features)}\n`);
  const out = new Uint8Array(header.length + 8 * (data.length + labels.length));
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length);
  let o = 0;
  for (const source of [data, labels]) {
    for (let i = 0; i < source.length; i++, o += 8) {
      const v = source[i]!;
      if (Number.isNaN(v)) {
        view.setUint32(o, 0, true);
        view.setUint32(o + 4, 0x7ff80000, true);
      } else {
        view.setFloat64(o, v, true);
      }
    }
  }
  return out;
}

/** Computes the fingerprint of a training set; checks shape, names and times. */
export async function fingerprintDataset(input: DatasetInput): Promise<DatasetFingerprint> {
  const { features } = input;
  if (features.length === 0) throw new TrackingInputError("dataset has no features");
  const seen = new Set<string>();
  for (const f of features) {
    if (typeof f !== "string" || f.length === 0) throw new TrackingInputError(`dataset feature names must be non-empty strings, got ${JSON.stringify(f)}`);
    if (seen.has(f)) throw new TrackingInputError(`dataset feature ${JSON.stringify(f)} appears twice`);
    seen.add(f);
  }
  if (typeof input.featureSpecVersion !== "string" || input.featureSpecVersion.length === 0 || input.featureSpecVersion.length > 64) {
    throw new TrackingInputError("dataset featureSpecVersion must be 1..64 characters");
  }
  const from = utc(input.from, "from");
  const to = utc(input.to, "to");
  if (to < from) throw new TrackingInputError(`dataset range ends (${to}) before it starts (${from})`);
  const sha256 = await sha256Hex(datasetHashBytes(input.data, input.labels, features));
  return { rows: input.labels.length, from, to, features: [...features], featureSpecVersion: input.featureSpecVersion, sha256 };
}
