/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (bestDistance <= limit) return best;
  // A key with a suffix or prefix added (`index_name` for `index`) is far in edits but obvious to a reader.
  const lower = word.toLowerCase();
  let affixed: string | undefined;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    if (other.length < 4) continue;
    if (
      (lower.startsWith(other) || lower.endsWith(other) || other.startsWith(lower)) &&
      (!affixed || candidate.length > affixed.length)
    ) {
      affixed = candidate;
    }
  }
  return affixed;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
