/**
 * Removes credentials from text that came from outside (an errmsg may echo a request). Each
 * secret is also looked for URL-encoded, the form it has in a query string.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) clean = clean.split(form).join('[redacted]');
  }
  return clean;
}
