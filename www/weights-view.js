// The first weight layer as pictures: one 28×28 tile per unit, drawn into one canvas. Rust hands
// over each unit's weights already scaled to [−1, 1]; here they only become colours: red where ink
// raises the unit's activity, blue where it lowers it, white for no effect.
import { PALETTE, SIDE, cssColour, diverging } from './pictures.js';
const GAP = 2;
const CELL = SIDE + GAP;
/** Most tiles shown (Rust returns at most this many units per call). */
export const MAX_UNITS = 256;
const TILES_PER_STEP = 16;
const BACKGROUND = PALETTE.line;
const HIGHLIGHT = cssColour(PALETTE.warm); // the units the drawing excites most

// The diverging scale at 256 steps from −1 to +1, looked up per pixel: there are 200,000 of them.
const SCALE = (() => {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) lut.set([...diverging(i / 127.5 - 1), 255], i * 4);
  return lut;
})();

/** Tiles per row: one row for up to 16 units (10 output units read as the digits 0–9), else 16. */
export function gridColumns(units) {
  return Math.max(1, Math.min(units, 16));
}

function describe(sizes, shown) {
  const hidden = sizes.length - 2;
  const scale = 'each scaled to its own largest weight';
  if (hidden === 0) {
    return `No hidden layers: the ${shown} output units, digits 0 to 9 from left to right — ` +
      `each tile is a digit's ${SIDE * SIDE} weights, ${scale}.`;
  }
  const units = sizes[1];
  const which = units > shown ? `the first ${shown} of ${units}` : `all ${units}`;
  return `Hidden layer 1, ${which} units: each tile is one unit's ${SIDE * SIDE} incoming weights, ${scale}. ` +
    'Pixels near the edge are never inked, so their weights keep their random start.';
}

/**
 * createWeightsView(canvas, caption) → { refresh(session, sizes) (a job), highlight(units), clear(sizes) }
 */
export function createWeightsView(canvas, caption) {
  const context = canvas.getContext('2d');
  let units = 0;
  let shown = null;  // ImageData on the canvas
  let spare = null;  // ImageData being painted
  let highlighted = [];

  function tileOrigin(unit) {
    const cols = gridColumns(units);
    return [GAP + (unit % cols) * CELL, GAP + Math.floor(unit / cols) * CELL];
  }

  function blank(image) {
    const data = image.data;
    for (let i = 0; i < data.length; i += 4) {
      data.set(BACKGROUND, i);
      data[i + 3] = 255;
    }
  }

  function setUnits(count) {
    units = count;
    const cols = gridColumns(units);
    const rows = Math.max(1, Math.ceil(units / cols));
    canvas.width = GAP + cols * CELL;
    canvas.height = GAP + rows * CELL;
    canvas.style.setProperty('--cols', String(cols));
    shown = context.createImageData(canvas.width, canvas.height);
    spare = context.createImageData(canvas.width, canvas.height);
    blank(shown);
    blank(spare);
  }

  function paintTiles(image, values, from, to) {
    const data = image.data;
    for (let unit = from; unit < to; unit++) {
      const [x0, y0] = tileOrigin(unit);
      const offset = unit * SIDE * SIDE;
      for (let y = 0; y < SIDE; y++) {
        let p = ((y0 + y) * image.width + x0) * 4;
        for (let x = 0; x < SIDE; x++, p += 4) {
          const v = values[offset + y * SIDE + x];
          const k = Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5) * 4;
          data[p] = SCALE[k];
          data[p + 1] = SCALE[k + 1];
          data[p + 2] = SCALE[k + 2];
          data[p + 3] = 255;
        }
      }
    }
  }

  function present() {
    if (!shown) return;
    context.putImageData(shown, 0, 0);
    context.strokeStyle = HIGHLIGHT;
    context.lineWidth = GAP;
    for (const unit of highlighted) {
      if (unit >= units) continue;
      const [x, y] = tileOrigin(unit);
      context.strokeRect(x - GAP / 2, y - GAP / 2, SIDE + GAP, SIDE + GAP);
    }
  }

  return {
    /** A frame job: fetches the weights once, paints 16 tiles per step, then shows them all at once. */
    * refresh(session, sizes) {
      const values = session.weightImages(0, MAX_UNITS);
      const count = values.length / (SIDE * SIDE);
      if (count !== units) setUnits(count);
      for (let from = 0; from < count; from += TILES_PER_STEP) {
        yield;
        paintTiles(spare, values, from, Math.min(count, from + TILES_PER_STEP));
      }
      [shown, spare] = [spare, shown];
      present();
      caption.textContent = describe(sizes, count);
      canvas.dataset.units = String(count);
    },
    /** Outlines the tiles of these units (the drawing's most active ones); [] for none. */
    highlight(list) {
      highlighted = list;
      present();
    },
    /** A new network: the old tiles no longer mean anything. */
    clear(sizes) {
      setUnits(Math.min(sizes[1], MAX_UNITS));
      highlighted = [];
      present();
      caption.textContent = describe(sizes, units);
    },
  };
}
