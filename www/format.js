// Numbers for people, written the same way wherever the page shows them. Display only: every
// number was computed in Rust.

/**
 * A fraction as a percentage: formatPercent(0.98123, 2) → "98.12%". `digits` is the number of
 * decimals, or 'auto': whole percents from 10 % and one decimal below, so that a small share does
 * not read as 0 %. `spaced` puts a space before the sign ("98.7 %"), as the test accuracy
 * (formatAccuracy), the drawing's answer and section 4 write it; the charts, bars and tables of
 * sections 1 and 3 do not.
 */
export function formatPercent(p, digits = 1, { spaced = false } = {}) {
  // 'auto' decides on the rounded value, so 0.0999 reads "10%", not "10.0%".
  const places = digits === 'auto' ? (Math.round(p * 1000) >= 100 ? 0 : 1) : digits;
  return `${(p * 100).toFixed(places)}${spaced ? ' ' : ''}%`;
}

/**
 * A network's test accuracy, wherever it is told (section 1's figure, the confusion matrix, the model
 * line and file, a lesson's before and after): "98.12 %", as the README writes it — two decimals,
 * since on 10,000 test images one image is 0.01 %. null (not measured yet) → "—".
 */
export const formatAccuracy = (p) => (p == null ? '—' : formatPercent(p, 2, { spaced: true }));

/** 60000 → "60,000". */
export const formatCount = (n) => Math.round(n).toLocaleString('en');

/** `n` and `word`, plural unless n is 1: plural(1, 'image') → "1 image", plural(2500, 'step') → "2,500 steps". */
export const plural = (n, word) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

/** A position in a run, in epochs (passes over the training set): 1.2345 → "1.23". */
export const formatEpoch = (epochs) => epochs.toFixed(2);

/** Bytes in megabytes of 10⁶ bytes (what "MB" means): 11_594_722 → "11.6 MB". */
export const formatMegabytes = (bytes, digits = 1) => `${(bytes / 1e6).toFixed(digits)} MB`;

/**
 * A time in seconds: "12 s", "1 min 5 s", or with `digits` decimals under a minute ("0.42 s") for
 * the short times of a lesson or a measurement. Whole seconds are rounded up — a time left of 0.4 s
 * is not "0 s" — and a minute never shows "60 s". Not a finite number (unknown) → "—".
 */
export function formatSeconds(seconds, digits = 0) {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60 && digits > 0) return `${seconds.toFixed(digits)} s`;
  const whole = Math.ceil(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
