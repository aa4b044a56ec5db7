// Numbers as colours and pixels, the same in every view: the red–blue scale of signed values and
// the painter of a 28×28 digit (and of any picture of ink values, such as a feature map).

export const SIDE = 28;

const WHITE = 255;

// The page's colours for what it draws itself (canvases and charts), as [r, g, b]: the same as
// style.css's variables of the same names, which a canvas cannot read — change them together.
export const PALETTE = {
  accent: [37, 99, 235],   // --accent: training, right answers, active units
  warm: [234, 88, 12],     // --warm: the test set, wrong answers, highlights
  line: [226, 232, 240],   // a slate just darker than --line: grid lines, the gaps between tiles
  axis: [71, 85, 105],     // slate: axis ticks and labels
};

/** [r, g, b] as a colour for CSS, a canvas or uPlot. */
export const cssColour = ([r, g, b]) => `rgb(${r} ${g} ${b})`;
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
 * Paints a 28×28 digit into `canvas` (sized to the picture if it is not), dark ink on white like the
 * pad. `pixels`: width × height values, row by row, from 0 (paper) to `full` (ink) — 1 for Rust's
 * pixels in [0, 1], 255 for its bytes; null paints blank paper. Options:
 *   full: the value of full ink (1);
 *   width, height: another picture's size (a feature map's), SIDE × SIDE by default;
 *   ink: how far full ink darkens the paper, 0–255 (255: black; a lighter grey leaves room for colours
 *     painted over it);
 *   colour(i, shade) → [r, g, b]: pixel i's colour given its grey shade, for a picture painted over
 *     the digit (the saliency's); grey if not given.
 */
export function paintDigit(canvas, pixels, { full = 1, width = SIDE, height = SIDE, ink = WHITE, colour } = {}) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext('2d');
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const amount = Math.min(1, Math.max(0, (pixels?.[i] ?? 0) / full));
    const shade = WHITE - Math.round(amount * ink);
    const [r, g, b] = colour ? colour(i, shade) : [shade, shade, shade];
    image.data.set([r, g, b, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}
