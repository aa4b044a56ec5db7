// Geometry for the handwriting benchmark's digits: pen strokes in the unit square [0,1]² (x to the
// right, y down), each stroke a polyline of [x, y] points in the order a person draws them. Curves to
// write shapes with (arc, smooth), and changes of hand to vary them (slant, narrow, turn, wobble); the
// random ones take a seeded source of numbers, so every run draws the same digits.

import { arc as ellipseArc } from '../../tests/e2e/curves.mjs';

/**
 * Part of an ellipse, a point every 12° at most (finer than the tests' 20°): angles in degrees, 0°
 * pointing right and 90° down, so increasing angles go clockwise on the screen.
 */
export const arc = (cx, cy, rx, ry, from, to) => ellipseArc(cx, cy, rx, ry, from, to, 12);

/** A smooth curve through `points` (Catmull-Rom), `per` points per span. */
export function smooth(points, per = 6) {
  const out = [points[0]];
  for (let i = 0; i < points.length - 1; i++) {
    const p0 = points[Math.max(0, i - 1)];
    const [p1, p2] = [points[i], points[i + 1]];
    const p3 = points[Math.min(points.length - 1, i + 2)];
    for (let k = 1; k <= per; k++) {
      const t = k / per;
      const t2 = t * t;
      const t3 = t2 * t;
      const at = (a, b, c, d) => 0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3);
      out.push([at(p0[0], p1[0], p2[0], p3[0]), at(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  return out;
}

/** Joins point lists into one stroke. */
export const join = (...parts) => parts.flat();

/** Slants strokes like right-leaning handwriting: x moves by k for each unit above the middle. */
export const slant = (k, strokes) => strokes.map((s) => s.map(([x, y]) => [x + k * (0.5 - y), y]));

/** Scales strokes horizontally about the middle (f < 1: narrower). */
export const narrow = (f, strokes) => strokes.map((s) => s.map(([x, y]) => [0.5 + f * (x - 0.5), y]));

/** Turns strokes about the middle by `degrees` (positive: clockwise on the screen). */
export function turn(degrees, strokes) {
  const t = (degrees * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  return strokes.map((stroke) => stroke.map(([x, y]) => [0.5 + c * (x - 0.5) - s * (y - 0.5), 0.5 + s * (x - 0.5) + c * (y - 0.5)]));
}

/**
 * Bends strokes by a smooth displacement of at most `amplitude` (a sine field of half to one wave
 * across the square, random phases), like a hand that does not draw the same curve twice; a
 * pointwise jitter would instead make the pen tremble, which nobody's handwriting does.
 */
export function wobble(amplitude, random, strokes) {
  const [fx, fy, px, py] = [0.5 + 0.5 * random(), 0.5 + 0.5 * random(), 2 * Math.PI * random(), 2 * Math.PI * random()];
  return strokes.map((stroke) => stroke.map(([x, y]) => [
    x + amplitude * Math.sin(2 * Math.PI * fy * y + px),
    y + amplitude * Math.sin(2 * Math.PI * fx * x + py),
  ]));
}

/** Moves every stroke after the first by up to `reach` (a pen lifted and put down not quite where meant). */
export const shiftLaterStrokes = (reach, random, strokes) => strokes.map((stroke, i) => {
  if (i === 0) return stroke;
  const [dx, dy] = [reach * (2 * random() - 1), reach * (2 * random() - 1)];
  return stroke.map(([x, y]) => [x + dx, y + dy]);
});

/** Centres the strokes' bounding box on the unit square, shrinking them if they no longer fit in it. */
export function fit(strokes) {
  const points = strokes.flat();
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min(1, 1 / Math.max(right - left, bottom - top));
  const [mx, my] = [(left + right) / 2, (top + bottom) / 2];
  return strokes.map((stroke) => stroke.map(([x, y]) => [0.5 + scale * (x - mx), 0.5 + scale * (y - my)]));
}
