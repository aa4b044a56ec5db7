// Curves for digits written as pen strokes in the unit square (x to the right, y down): the E2E
// tests' stroke set (strokes.mjs) and the handwriting benchmark's (bench/handwriting/pen.mjs)
// draw their round parts with it.

/**
 * Points along an ellipse centred at (cx, cy) with radii rx, ry, from angle `from` to `to` in
 * degrees (0° points right and 90° down, so increasing angles go clockwise on the screen), at most
 * `step` degrees apart.
 */
export function arc(cx, cy, rx, ry, from, to, step) {
  const n = Math.max(2, Math.ceil(Math.abs(to - from) / step));
  const points = [];
  for (let i = 0; i <= n; i++) {
    const t = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    points.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return points;
}
