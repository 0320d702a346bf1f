/** MongoDB's duplicate-key error code (E11000), the same on MongoDB 7 and FerretDB. */
const DUPLICATE_KEY = 11000;

/** True when a write failed on a unique index: an expected outcome (a redelivery, a race), not a fault. */
export function isDuplicateKeyError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === DUPLICATE_KEY;
}
