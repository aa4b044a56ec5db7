// Numbers as colours and pixels, the same in every view: the red–blue scale of signed values and
// the painter of a 28×28 digit.

export const SIDE = 28;

const WHITE = 255;
// ColorBrewer RdBu's ends.
const BLUE = [33, 102, 172];
const RED = [178, 24, 43];

/** `colour` ([r, g, b]) faded towards white: t = 1 is the colour itself, t = 0 white. */
export function tint(colour, t) {
  const amount = Math.max(0, Math.min(1, t));
  return colour.map((c) => Math.round(WHITE + (c - WHITE) * amount));
}

/** The diverging colour of v in [−1, 1]: blue for negative, white for 0, red for positive. */
export const diverging = (v) => tint(v >= 0 ? RED : BLUE, Math.abs(v));

/**
 * Paints a 28×28 digit into `canvas` (made 28×28 if it is not), dark ink on white like the pad.
 * `pixels`: 784 values from 0 (paper) to `full` (ink) — 1 for Rust's pixels in [0, 1], 255 for its
 * bytes; null paints blank paper.
 */
export function paintDigit(canvas, pixels, full = 1) {
  if (canvas.width !== SIDE) canvas.width = SIDE;
  if (canvas.height !== SIDE) canvas.height = SIDE;
  const context = canvas.getContext('2d');
  const image = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const ink = Math.min(1, Math.max(0, (pixels?.[i] ?? 0) / full));
    const shade = WHITE - Math.round(ink * WHITE);
    image.data.set([shade, shade, shade, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}
