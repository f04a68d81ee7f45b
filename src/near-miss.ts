/** The known name a mistyped key most likely meant, or undefined when none is close. */
export function nearestName(input: string, known: readonly string[]): string | undefined {
  const needle = input.toLowerCase().replace(/[-\s]/g, '_');
  const squashed = needle.replace(/_/g, '');
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const bare = name.replace(/_/g, '');
    if (squashed.length >= 3 && (bare.includes(squashed) || squashed.includes(bare))) return name;
    const distance = editDistance(needle, name);
    if (distance <= Math.max(2, Math.floor(name.length / 4)) && (!best || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
