/** Distinct characters a secret needs at the least (a key like "aaaaaaaaaaaaaaaa" or "abababab…" guesses in seconds). */
const MIN_DISTINCT_SECRET_CHARACTERS = 8;
const MIN_SECRET_LENGTH = 16;

/** Why `secret` is too weak to key an HMAC or guard a webhook, or undefined if it will do. */
export function secretWeakness(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) return `expected at least ${MIN_SECRET_LENGTH} characters`;
  if (new Set(secret).size < MIN_DISTINCT_SECRET_CHARACTERS) {
    return `too weak: it repeats a few characters; use at least ${MIN_DISTINCT_SECRET_CHARACTERS} different ones (e.g. openssl rand -hex 32)`;
  }
  return undefined;
}
