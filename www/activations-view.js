// Every layer's activity for the current drawing: one square per unit, a row of squares per layer.
// The first hidden layer's squares are arranged like the weight tiles, so a square sits where its
// unit's picture does. Rust gives each unit's strength in [0, 1]; here it only becomes a colour.
import { gridColumns } from './weights-view.js';
import { PALETTE, cssColour, tint } from './pictures.js';

const WIDTH = 432;          // CSS pixels; the canvas scales down with its box
const LABEL = 20;           // height of a layer's title line
const LAYER_GAP = 12;
const MAX_CELL = 26;
const IDLE = '#eef2f7';
const HIDDEN = PALETTE.accent;
const OUTPUT = PALETTE.warm;
const HIGHLIGHT = cssColour(PALETTE.warm);

// Wide layers get more squares per row so that a 4096-unit layer stays a reasonable size.
function columns(units, first) {
  if (first || units <= 256) return gridColumns(units);
  return 64;
}

function title(layer, index, count) {
  if (layer.output) return 'Output: probability of each digit';
  const name = count > 2 ? `Hidden layer ${index + 1}` : 'Hidden layer';
  return layer.values ? `${name} · ${layer.active} of ${layer.units} units active` : `${name} · ${layer.units} units`;
}

const mix = (colour, t) => cssColour(tint(colour, t));

/**
 * createActivationsView(canvas, summary) → { show(layers, sizes) }
 * layers: Rust's [{values, strength, active, strongest, output}] for a drawing, or null for none.
 */
export function createActivationsView(canvas, summary) {
  const context = canvas.getContext('2d');
  let shape = '';

  function layout(units) {
    const blocks = [];
    let y = 0;
    units.forEach((n, l) => {
      const cols = columns(n, l === 0);
      const cell = Math.min(MAX_CELL, Math.floor(WIDTH / cols));
      const rows = Math.ceil(n / cols);
      blocks.push({ cols, cell, top: y + LABEL });
      y += LABEL + rows * cell + LAYER_GAP;
    });
    return { blocks, height: y - LAYER_GAP + 2 };
  }

  function resize(height) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(WIDTH * ratio);
    canvas.height = Math.round(height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  function show(layers, sizes) {
    const units = layers ? layers.map((l) => l.strength.length) : sizes.slice(1);
    const view = layers ?? units.map((n, l) => ({ units: n, output: l === units.length - 1 }));
    const { blocks, height } = layout(units);
    const key = `${units.join('-')}@${window.devicePixelRatio || 1}`;
    if (key !== shape) {
      shape = key;
      resize(height);
    }
    context.clearRect(0, 0, WIDTH, height);
    context.textBaseline = 'middle';
    view.forEach((layer, l) => {
      const { cols, cell, top } = blocks[l];
      const n = units[l];
      context.font = '600 12px system-ui, sans-serif';
      context.fillStyle = '#5b6478';
      context.textAlign = 'left';
      context.fillText(title({ ...layer, units: n }, l, view.length), 0, top - LABEL / 2);
      const pad = cell >= 8 ? 2 : cell >= 4 ? 1 : 0;
      for (let u = 0; u < n; u++) {
        const x = (u % cols) * cell;
        const y = top + Math.floor(u / cols) * cell;
        const s = layer.strength?.[u];
        context.fillStyle = s === undefined ? IDLE : s > 0 ? mix(layer.output ? OUTPUT : HIDDEN, s) : IDLE;
        context.fillRect(x + pad / 2, y + pad / 2, cell - pad, cell - pad);
        if (layer.output && n <= 16) {
          context.fillStyle = s > 0.55 ? '#ffffff' : '#0f172a';
          context.textAlign = 'center';
          context.font = `700 ${Math.round(cell * 0.5)}px system-ui, sans-serif`;
          context.fillText(String(u), x + cell / 2, y + cell / 2 + 1);
        }
      }
      if (l === 0 && layer.strongest) {
        context.strokeStyle = HIGHLIGHT;
        context.lineWidth = 2;
        for (const u of layer.strongest) {
          context.strokeRect((u % cols) * cell + 1, top + Math.floor(u / cols) * cell + 1, cell - 2, cell - 2);
        }
      }
    });
    canvas.dataset.state = layers ? 'drawing' : 'idle';
    canvas.dataset.layers = String(view.length);
    summary.textContent = describe(layers);
  }

  function describe(layers) {
    if (!layers) return 'Draw a digit on the pad to see which units respond to it.';
    const first = layers[0];
    if (first.output) {
      return 'No hidden layers: the output units weigh the pixels directly. Darker orange: a more probable digit; the 3 most probable are outlined in the weights.';
    }
    const strongest = first.strongest.map(String).join(', ');
    const lead = strongest
      ? `The ${first.strongest.length} most active units of the first hidden layer (${strongest}) are outlined here and in the weights.`
      : 'No unit of the first hidden layer responds to this drawing.';
    return `${lead} Darker blue: more active; pale: silent (ReLU output 0).`;
  }

  return { show };
}
