/** Display formats shared by the pages. */

/** A metric value with up to 4 significant decimals, as the API's number (no rounding of integers). */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** An ISO 8601 time as `YYYY-MM-DD HH:MM:SS` UTC, the same on every machine. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** A count with thousands separators, the same in every locale: `1,048,576`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
