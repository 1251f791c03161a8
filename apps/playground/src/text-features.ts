/** Which of a dataset's feature words occur in a text (whole words, case-insensitive): what the page highlights. */
export class FeatureMatcher {
  private readonly re: RegExp | undefined;

  constructor(features: readonly string[]) {
    const words = [...new Set(features.map((f) => f.trim().toLowerCase()).filter((f) => f !== ''))].sort((a, b) => b.length - a.length);
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.re = words.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.map(esc).join('|')})(?![\\p{L}\\p{N}])`, 'giu') : undefined;
  }

  /** The distinct features found in `text`, in order of first occurrence, lower-cased. */
  find(text: string): string[] {
    if (!this.re) return [];
    return [...new Set([...text.matchAll(this.re)].map((m) => m[0].toLowerCase()))];
  }
}
