// What the handwriting benchmark draws, and where. Each base shape of strokes.mjs is drawn as written
// and in VARIANTS − 1 seeded variants of the same hand (leaning more or less, wider or narrower, bent
// a little, later strokes put down a little off); each drawing is placed on the pad at a seeded size
// (35–85 % of the pad's side), off-centre position and slight turn. Seeds come from the shape's name,
// so every run draws exactly the same thing, and adding a shape changes no other drawing.

import { BASES } from './strokes.mjs';
import { seededRandom } from '../seeded-random.js';
import { fit, narrow, shiftLaterStrokes, slant, turn, wobble } from './pen.mjs';

/** Drawings per base shape: the shape as written, and two variants. */
export const VARIANTS = 3;
/** The share of the pad's side a drawing takes, smallest and largest. */
export const SIZES = [0.35, 0.85];
/** The largest turn of a drawing, in degrees either way. */
export const MAX_TURN = 8;
/** Room kept between a drawing and the pad's edge (the pen is about 8 % of the pad wide). */
const MARGIN = 0.06;

/** A 32-bit FNV-1a hash of `text`: a seed that depends on the name only. */
function hash(text) {
  let h = 0x811c9dc5;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
  return h;
}

const between = (random, low, high) => low + (high - low) * random();

/**
 * Variant `k` of `strokes` (0: as written). Variant 1 leans further right, variant 2 stands upright
 * or leans back with another width: the two ways one writer's digits drift from their model.
 */
function variant(strokes, k, seed) {
  if (k === 0) return { strokes: fit(strokes), hand: 'as written' };
  const random = seededRandom(seed);
  const [lean, width] = k % 2 === 1
    ? [between(random, 0.04, 0.16), between(random, 0.85, 1.0)]
    : [between(random, -0.12, 0.02), between(random, 0.7, 1.15)];
  const varied = shiftLaterStrokes(0.03, random, wobble(0.02, random, narrow(width, slant(lean, strokes))));
  return { strokes: fit(varied), hand: `lean ${lean >= 0 ? '+' : ''}${lean.toFixed(2)}, width ×${width.toFixed(2)}` };
}

/** Every drawing: [{ digit, style, name, hand, strokes }], VARIANTS per base shape, in digit order. */
export const SET = BASES.flatMap(({ digit, style, name, strokes }) =>
  Array.from({ length: VARIANTS }, (_, k) => ({ digit, style, name, ...variant(strokes, k, hash(`${style}/${name}/${k}`)) })));

/**
 * Where and how drawing `index` is drawn the `k`-th time: its strokes turned, and a size and centre
 * (pad fractions) for drawDigit. Sizes follow a golden-ratio sequence over the drawings, so every size
 * is used about equally often and neighbouring drawings get different ones; the centre is anywhere
 * that keeps the turned drawing on the pad.
 */
export function placement({ style, name, hand, strokes }, index, k, perDrawing) {
  const random = seededRandom(hash(`${style}/${name}/${hand}/place ${k}`));
  const n = index * perDrawing + k;
  const size = SIZES[0] + (SIZES[1] - SIZES[0]) * ((n * 0.6180339887) % 1);
  const degrees = between(random, -MAX_TURN, MAX_TURN);
  const turned = turn(degrees, strokes);
  const centre = (axis) => {
    const values = turned.flat().map((p) => p[axis]);
    const low = MARGIN - (Math.min(...values) - 0.5) * size;
    const high = 1 - MARGIN - (Math.max(...values) - 0.5) * size;
    return low < high ? between(random, low, high) : (low + high) / 2;
  };
  const [cx, cy] = [centre(0), centre(1)];
  const label = `${Math.round(size * 100)} % at (${cx.toFixed(2)}, ${cy.toFixed(2)}), turned ${degrees >= 0 ? '+' : ''}${degrees.toFixed(0)}°`;
  return { strokes: turned, place: { size, cx, cy }, label };
}

/** Placements per drawing in a default run: 504 drawings per browser, 4–4.5 minutes each on a loaded 2-core machine. */
export const PLACES_PER_DRAWING = 1;
