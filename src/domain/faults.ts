/**
 * Faults no retry can fix: a sealed field under a lost key or tampered with (the cipher's stable
 * code CRYPTO_FAILED), or a corrupt JSON blob. Known by code, so the engine needs no persistence import.
 */
export function isUnreadableData(error: unknown): boolean {
  if (error instanceof SyntaxError) return true;
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'CRYPTO_FAILED';
}
