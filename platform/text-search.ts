/**
 * Free text to a PostgreSQL `tsquery` that matches words as prefixes ("ali" finds
 * "alice"), for the language-neutral `simple` configuration. Punctuation is dropped, so no
 * input can inject tsquery operators.
 */
export function toPrefixQuery(text: string): string | undefined {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 16);
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : undefined;
}
