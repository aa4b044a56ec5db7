// Hand-written digits for the drawing tests, as pen strokes in the unit square [0,1]² (x to the
// right, y down). Each digit has several styles, like different people's handwriting; each style
// is an array of strokes in the order a person draws them, and each stroke a polyline of [x, y]
// points in drawing direction. The shapes were written by hand from how people write digits,
// not taken from MNIST. Curves use the arc() helper: part of an ellipse, angles in degrees,
// 0° pointing right and 90° down (so increasing angles go clockwise on the screen).
//
// drawDigit(page, padSelector, strokes, { size, cx, cy }) draws a style with the mouse: the unit
// square becomes a square of `size` times the pad's side, centred at (cx, cy) in pad fractions.

import { arc as ellipseArc } from './curves.mjs';

/** The tests' arcs: a point every 20° at most. */
const arc = (cx, cy, rx, ry, from, to) => ellipseArc(cx, cy, rx, ry, from, to, 20);

/** Leans a stroke to the right like slanted handwriting: x moves by k for each unit above the middle. */
const lean = (k, stroke) => stroke.map(([x, y]) => [x + k * (0.5 - y), y]);

/** digit → { styleName: strokes }. The first style of each digit is its basic, everyday shape. */
export const DIGITS = {
  0: {
    oval: [arc(0.5, 0.5, 0.28, 0.46, -80, -445)], // starts at the top, goes round anticlockwise
    slanted: [lean(0.18, arc(0.5, 0.5, 0.24, 0.46, -85, -450))],
  },
  1: {
    stroke: [[[0.54, 0.02], [0.46, 0.98]]],
    flag: [[[0.3, 0.24], [0.42, 0.13], [0.56, 0.02], [0.52, 0.5], [0.48, 0.98]]],
    'flag and base': [
      [[0.3, 0.24], [0.42, 0.13], [0.56, 0.02], [0.52, 0.5], [0.48, 0.98]],
      [[0.3, 0.98], [0.7, 0.98]],
    ],
  },
  2: {
    plain: [[
      ...arc(0.5, 0.29, 0.27, 0.25, 200, 380), // the hook over the top
      [0.62, 0.55], [0.45, 0.72], [0.32, 0.84], [0.2, 0.97], // the neck down to the bottom left
      [0.45, 0.96], [0.82, 0.96], // the base
    ]],
    looped: [[
      ...arc(0.5, 0.29, 0.27, 0.25, 200, 380),
      [0.62, 0.55], [0.45, 0.72], [0.3, 0.86], [0.22, 0.95], // down to the bottom left…
      [0.27, 1.0], [0.36, 0.97], [0.37, 0.89], [0.3, 0.87], [0.27, 0.93], // …a small loop…
      [0.4, 0.97], [0.82, 0.95], // …and the base
    ]],
  },
  3: {
    round: [[
      ...arc(0.48, 0.27, 0.26, 0.23, 200, 440), // upper bow, ending at the middle
      [0.38, 0.49],
      ...arc(0.5, 0.72, 0.3, 0.26, -110, 150), // lower, bigger bow, ending at the bottom left
    ]],
    'flat top': [[
      [0.22, 0.04], [0.76, 0.04], [0.42, 0.42], // a bar and a slanting stroke…
      ...arc(0.49, 0.69, 0.3, 0.27, -105, 155), // …into the lower bow
    ]],
  },
  4: {
    open: [
      [[0.3, 0.02], [0.24, 0.36], [0.2, 0.62], [0.82, 0.62]], // down, then across
      [[0.66, 0.06], [0.65, 0.5], [0.64, 0.98]], // the upright
    ],
    closed: [
      [[0.6, 0.02], [0.38, 0.3], [0.16, 0.64], [0.84, 0.64]], // slant down to the left, then across
      [[0.6, 0.02], [0.6, 0.5], [0.6, 0.98]], // the upright from the top
    ],
  },
  5: {
    plain: [
      [[0.3, 0.04], [0.27, 0.46], ...arc(0.48, 0.68, 0.28, 0.26, -130, 150)], // down, then the belly
      [[0.3, 0.04], [0.76, 0.03]], // the flag on top
    ],
  },
  6: {
    plain: [[
      [0.7, 0.03], [0.55, 0.1], [0.41, 0.22], [0.3, 0.38], [0.25, 0.55], // sweeping down the left
      ...arc(0.5, 0.72, 0.26, 0.25, 180, -170), // the loop at the bottom, anticlockwise
    ]],
    'straight back': [[[0.62, 0.02], [0.3, 0.55], ...arc(0.5, 0.72, 0.24, 0.24, 200, -150)]],
  },
  7: {
    plain: [[[0.2, 0.05], [0.8, 0.05], [0.62, 0.38], [0.42, 0.98]]],
    crossbar: [
      [[0.2, 0.05], [0.8, 0.05], [0.62, 0.38], [0.42, 0.98]],
      [[0.36, 0.52], [0.76, 0.5]],
    ],
  },
  8: {
    'one stroke': [[
      ...arc(0.5, 0.26, 0.22, 0.22, -20, -200), // the top loop, anticlockwise from its right
      [0.4, 0.42], [0.5, 0.48], [0.64, 0.56], // across the waist
      ...arc(0.5, 0.72, 0.27, 0.25, -40, 220), // the bottom loop, clockwise
      [0.4, 0.48], [0.55, 0.38], [0.707, 0.185], // up across the waist to the start
    ]],
    'two loops': [
      arc(0.5, 0.26, 0.21, 0.22, -90, -450), // a small circle on top…
      arc(0.5, 0.73, 0.27, 0.25, -90, -450), // …and a bigger one under it
    ],
  },
  9: {
    straight: [[
      ...arc(0.48, 0.28, 0.25, 0.24, 0, -370), // the head, anticlockwise from its right
      [0.72, 0.62], [0.7, 0.98], // the stem
    ]],
    curved: [[
      ...arc(0.48, 0.28, 0.25, 0.24, 0, -370),
      [0.73, 0.6], [0.68, 0.85], [0.56, 0.97], [0.4, 0.96], [0.3, 0.9], // the stem, hooked at the end
    ]],
  },
};

/** Where the tests draw: size (of the pad's side) and centre, in pad fractions. */
export const PLACES = (() => {
  const margin = 0.08; // keeps the round pen (about 8 % of the pad wide) inside the pad
  const corner = (size, where) => {
    const near = margin + size / 2;
    return where === 'top-left' ? { cx: near, cy: near } : { cx: 1 - near, cy: 1 - near };
  };
  const places = [];
  for (const size of [0.35, 0.6]) {
    places.push({ label: `${size * 100}% centre`, size, cx: 0.5, cy: 0.5 });
    places.push({ label: `${size * 100}% top-left`, size, ...corner(size, 'top-left') });
    places.push({ label: `${size * 100}% bottom-right`, size, ...corner(size, 'bottom-right') });
  }
  // At 85 % a corner is hardly off the centre; one centred place is enough.
  places.push({ label: '85% centre', size: 0.85, cx: 0.5, cy: 0.5 });
  return places;
})();

export const BASIC_PLACE = PLACES.find((p) => p.size === 0.6 && p.cx === 0.5);

/**
 * Draws `strokes` on the pad with mouse strokes (move, down, small moves, up), the unit square
 * scaled to `size` times the pad's side and centred at (cx, cy), both as fractions of the pad.
 * Moves are at most `spacing` CSS pixels apart (5 % of a 320-pixel pad), like a pointer's events
 * while drawing briskly; curves are polylines with a point every 20°, closer than the pen is wide.
 *
 * How the moves travel differs, not what they draw: Chromium acknowledges each mouse event sent
 * over CDP only at its next frame, so there `perFrame` moves are sent together (puppeteer allows
 * parallel mouse moves; they arrive in order, like a pen that reports several times a frame, and
 * the pad reads them as coalesced pointer events). Over WebDriver BiDi (Firefox) puppeteer sends
 * a straight run's small steps in one command, so each run between two points is one move.
 */
export async function drawDigit(page, padSelector, strokes, { size = 0.6, cx = 0.5, cy = 0.5, spacing = 16, perFrame = 2 } = {}) {
  const pad = await page.waitForSelector(padSelector);
  await pad.evaluate((el) => el.scrollIntoView({ block: 'nearest', inline: 'nearest' })); // the mouse works in the viewport
  const box = await pad.boundingBox();
  await pad.dispose();
  if (!box) throw new Error(`${padSelector} is not on the screen`);
  const cdp = page.browser().protocol === 'cdp';
  const toPage = ([x, y]) => ({
    x: box.x + (cx + (x - 0.5) * size) * box.width,
    y: box.y + (cy + (y - 0.5) * size) * box.height,
  });
  const stepsBetween = (from, to) => Math.max(1, Math.ceil(Math.hypot(to.x - from.x, to.y - from.y) / spacing));
  for (const stroke of strokes) {
    const corners = stroke.map(toPage).map(({ x, y }) => ({ x: Math.round(x), y: Math.round(y) }));
    await page.mouse.move(corners[0].x, corners[0].y);
    await page.mouse.down();
    if (cdp) {
      // The pointer's path: the stroke's points, with straight runs cut into small steps.
      const path = [corners[0]];
      for (let k = 1; k < corners.length; k++) {
        const [from, to] = [corners[k - 1], corners[k]];
        const steps = stepsBetween(from, to);
        for (let i = 1; i <= steps; i++) {
          const point = { x: Math.round(from.x + ((to.x - from.x) * i) / steps), y: Math.round(from.y + ((to.y - from.y) * i) / steps) };
          const last = path[path.length - 1];
          if (point.x !== last.x || point.y !== last.y) path.push(point);
        }
      }
      for (let i = 1; i < path.length; i += perFrame) {
        await Promise.all(path.slice(i, i + perFrame).map(({ x, y }) => page.mouse.move(x, y)));
      }
    } else {
      for (let k = 1; k < corners.length; k++) {
        const [from, to] = [corners[k - 1], corners[k]];
        if (from.x === to.x && from.y === to.y) continue;
        const steps = stepsBetween(from, to);
        // (with steps, puppeteer's BiDi mouse first repeats the current point: not needed for one step)
        await page.mouse.move(to.x, to.y, steps > 1 ? { steps } : {});
      }
    }
    await page.mouse.up();
  }
}
