/** Records as a plain-text table fitted to a width: nested values compact, long cells cut with "…". */
export function formatTable(records: Array<Record<string, unknown>>, width: number): string {
  if (records.length === 0) return '';
  const columns: string[] = [];
  for (const record of records) for (const key of Object.keys(record)) if (!columns.includes(key)) columns.push(key);
  const cells = records.map((record) => columns.map((column) => cell(record[column])));
  const natural = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => (row[i] ?? '').length)));
  const widths = fit(natural, width, columns.length);
  const shown = widths.filter((w) => w > 0).length;
  const line = (values: string[]): string =>
    values
      .slice(0, shown)
      .map((value, i) => clip(value, widths[i] ?? 0).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(columns), line(widths.slice(0, shown).map((w) => '-'.repeat(w))), ...cells.map(line)];
  if (shown < columns.length) out.push(`(${columns.length - shown} more columns: ${columns.slice(shown).join(', ')}; use --format jsonl to see everything)`);
  return `${out.join('\n')}\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
}

function clip(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, Math.max(0, width - 1))}…`;
}

/** Column widths within the total: narrow columns keep their width, wide ones share what is left. */
function fit(natural: number[], total: number, count: number): number[] {
  const gap = 2;
  const minimum = 8;
  // As many columns as fit at their minimum width.
  let shown = count;
  while (shown > 1 && shown * minimum + (shown - 1) * gap > total) shown--;
  const widths = natural.slice(0, shown).map((w) => Math.max(Math.min(w, minimum), Math.min(w, 4)));
  let budget = total - (shown - 1) * gap - widths.reduce((a, b) => a + b, 0);
  // Grow columns one character at a time, narrowest need first, until the width is used.
  let grew = true;
  while (budget > 0 && grew) {
    grew = false;
    for (let i = 0; i < shown && budget > 0; i++) {
      if ((widths[i] ?? 0) < (natural[i] ?? 0)) {
        widths[i] = (widths[i] ?? 0) + 1;
        budget--;
        grew = true;
      }
    }
  }
  return [...widths, ...new Array<number>(count - shown).fill(0)];
}
