// Port: a key/value object store (Cloudflare R2 in Workers, a local folder offline, memory in tests).
export interface StoredObject {
  key: string;
  body: Uint8Array;
  contentType: string | undefined;
  metadata: Record<string, string>;
  size: number;
  uploaded: Date;
}

export interface ObjectInfo {
  key: string;
  size: number;
  uploaded: Date;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface ObjectStore {
  /** Writes the whole object atomically: a reader sees the old object or the new one, never a part. */
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<void>;
  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Keys under a prefix, in lexicographic order. */
  list(prefix?: string): Promise<ObjectInfo[]>;
  delete(key: string): Promise<void>;
}
