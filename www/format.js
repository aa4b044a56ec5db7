// Numbers for people, written the same way wherever the page shows them. Display only: every
// number was computed in Rust.

/**
 * A fraction as a percentage: formatPercent(0.98123, 2) → "98.12%". `digits` is the number of
 * decimals, or 'auto': whole percents from 10 % and one decimal below, so that a small share does
 * not read as 0 %. `spaced` puts a space before the sign ("98.7 %"), as the model line, the
 * drawing's answer and section 4 write it; the figures and tables of sections 1 and 3 do not.
 */
export function formatPercent(p, digits = 1, { spaced = false } = {}) {
  // 'auto' decides on the rounded value, so 0.0999 reads "10%", not "10.0%".
  const places = digits === 'auto' ? (Math.round(p * 1000) >= 100 ? 0 : 1) : digits;
  return `${(p * 100).toFixed(places)}${spaced ? ' ' : ''}%`;
}

/** 60000 → "60,000". */
export const formatCount = (n) => Math.round(n).toLocaleString('en');
