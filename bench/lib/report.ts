/** The figures a benchmark reports, the console table and the markdown written to docs/benchmarks.md. */
export interface Row {
  /** Section, e.g. "Registration". */
  group: string;
  /** What was measured, e.g. "SQLite, 4 clients". */
  case: string;
  /** modelctl's figure as printed (already formatted with its unit). */
  modelctl: string;
  /** The peer's figure (MLflow, sha256sum + cp …) or empty. */
  peer?: string;
  /** modelctl/peer ratio where a higher figure is better for both, or a note. */
  ratio?: string;
  note?: string;
}

export interface Section {
  title: string;
  /** What the peer column holds for this section. */
  peerName?: string;
  /** One paragraph on how the figures were taken. */
  method: string;
  rows: Row[];
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(digits);
}

/** "×1.8" style ratio of two figures where higher is better. */
export function ratio(ours: number, theirs: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return 'n/a';
  return `${(ours / theirs).toFixed(2)}×`;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
}

/** A plain-text table for the terminal. */
export function consoleTable(section: Section): string {
  const header = ['case', 'modelctl', section.peerName ?? 'peer', 'ratio', 'note'];
  const body = section.rows.map((r) => [r.case, r.modelctl, r.peer ?? '', r.ratio ?? '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [
    `== ${section.title}`,
    pad(header, widths),
    pad(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
    ...body.map((b) => pad(b, widths)),
  ].join('\n');
}

/** A markdown table of one section. */
export function markdownSection(section: Section): string {
  const peer = section.peerName !== undefined;
  const header = peer
    ? ['Case', 'modelctl', section.peerName!, 'modelctl / peer', 'Note']
    : ['Case', 'modelctl', 'Note'];
  const rows = section.rows.map((r) =>
    peer ? [r.case, r.modelctl, r.peer ?? '', r.ratio ?? '', r.note ?? ''] : [r.case, r.modelctl, r.note ?? ''],
  );
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    `### ${section.title}`,
    '',
    section.method,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
  ].join('\n');
}
