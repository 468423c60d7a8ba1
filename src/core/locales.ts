/**
 * The offered locale closest to one a platform suggests: the exact tag, else
 * its primary language ("es-ES" → "es", "pt_BR" → "pt"); undefined if neither.
 */
export function closestOfferedLocale(offered: readonly string[], suggested: string | undefined): string | undefined {
  if (!suggested) return undefined;
  const lower = suggested.toLowerCase();
  const primary = lower.split(/[-_]/)[0];
  return (
    offered.find((locale) => locale.toLowerCase() === lower) ??
    offered.find((locale) => locale.toLowerCase() === primary)
  );
}
