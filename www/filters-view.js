// A ConvNet's insides: its first convolution's filters (k×k kernels, red where ink raises the
// filter's response, blue where it lowers it), and for the drawing, every feature-map layer's maps
// (darker: a stronger response). Rust hands over the values already scaled; here they only become
// pixels. An MLP has neither, and the figure is hidden.
import { PALETTE, cssColour, diverging, paintDigit } from './pictures.js';

const GAP = 2;
const FILTER_PIXEL = 8;   // a 5×5 kernel is drawn 40 px wide, above the map it makes
const MAP_WIDTH = 56;     // each feature map is scaled to this width, whatever its size
// A kernel's pixel size: 8 px, smaller for kernels that would not fit above their map.
const filterPixel = (kernel) => Math.max(1, Math.min(FILTER_PIXEL, Math.floor(MAP_WIDTH / kernel)));
const ROW_GAP = 14;       // room for a row's label
const BACKGROUND = cssColour(PALETTE.line);
const TEXT = '#334155';

/** Session.mapLayers()'s six numbers per layer as [{kind, inputChannels, channels, height, width, kernel}]. */
export function readMapLayers(numbers) {
  const layers = [];
  for (let i = 0; i + 6 <= numbers.length; i += 6) {
    const [kind, inputChannels, channels, height, width, kernel] = numbers.subarray(i, i + 6);
    layers.push({ kind: kind === 0 ? 'convolution' : 'pooling', inputChannels, channels, height, width, kernel });
  }
  return layers;
}

/** Session.featureMaps()'s values cut into the layers' maps: [{...layer, values}]. */
export function splitMaps(layers, values) {
  let offset = 0;
  return layers.map((layer) => {
    const n = layer.channels * layer.height * layer.width;
    offset += n;
    return { ...layer, values: values.subarray(offset - n, offset) };
  });
}

function rows(filters, maps) {
  const list = [{ label: `${filters.count} filters, ${filters.kernel}×${filters.kernel}`, kind: 'filters' }];
  maps.forEach((layer, i) => {
    const what = layer.kind === 'convolution' ? 'convolution' : '2×2 max-pooling';
    list.push({ label: `layer ${i + 1}, ${what}: ${layer.channels} maps of ${layer.height}×${layer.width}`, kind: 'maps', layer });
  });
  return list;
}

/**
 * createFiltersView(figure, canvas, caption) → { show(filters, maps), hide() }
 *   filters: {count, channels, kernel, values} (values: Session.filters());
 *   maps: splitMaps(layers, Session.featureMaps(drawing)) ([] without a drawing).
 */
export function createFiltersView(figure, canvas, caption) {
  const context = canvas.getContext('2d');

  function paintFilters(filters, y, perRow) {
    const { count, channels, kernel, values } = filters;
    const pixel = filterPixel(kernel);
    const side = kernel * pixel;
    const taps = channels * kernel * kernel;
    for (let f = 0; f < count; f++) {
      // Filter f makes the first convolution's map f: each is drawn centred above its map.
      const x0 = GAP + (f % perRow) * (MAP_WIDTH + GAP) + Math.max(0, (MAP_WIDTH - side) / 2);
      const y0 = y + Math.floor(f / perRow) * (side + GAP);
      // The first input channel: MNIST has one.
      for (let ky = 0; ky < kernel; ky++) {
        for (let kx = 0; kx < kernel; kx++) {
          const [r, g, b] = diverging(values[f * taps + ky * kernel + kx]);
          context.fillStyle = `rgb(${r},${g},${b})`;
          context.fillRect(x0 + kx * pixel, y0 + ky * pixel, pixel, pixel);
        }
      }
    }
    return Math.ceil(count / perRow) * (side + GAP) - GAP;
  }

  function paintMaps(layer, y, perRow) {
    const { channels, height, width, values } = layer;
    const scale = MAP_WIDTH / width;
    const size = width * height;
    // Each map is painted like a digit (a stronger response: darker), then drawn scaled up.
    const tile = document.createElement('canvas');
    context.imageSmoothingEnabled = false;
    for (let c = 0; c < channels; c++) {
      paintDigit(tile, values.subarray(c * size, (c + 1) * size), { width, height });
      const x = GAP + (c % perRow) * (MAP_WIDTH + GAP);
      const yy = y + Math.floor(c / perRow) * (height * scale + GAP);
      context.drawImage(tile, x, yy, MAP_WIDTH, height * scale);
    }
    return Math.ceil(channels / perRow) * (height * scale + GAP) - GAP;
  }

  return {
    show(filters, maps) {
      figure.hidden = false;
      const list = rows(filters, maps);
      const perRow = 8;
      canvas.width = GAP + perRow * (MAP_WIDTH + GAP);
      // Heights first, so the canvas is sized once.
      const heightOf = (row) => (row.kind === 'filters'
        ? Math.ceil(filters.count / perRow) * (filters.kernel * filterPixel(filters.kernel) + GAP) - GAP
        : Math.ceil(row.layer.channels / perRow) * (row.layer.height * (MAP_WIDTH / row.layer.width) + GAP) - GAP);
      canvas.height = list.reduce((sum, row) => sum + ROW_GAP + heightOf(row) + GAP, GAP);
      context.fillStyle = BACKGROUND;
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.font = '11px system-ui, sans-serif';
      let y = GAP;
      for (const row of list) {
        context.fillStyle = TEXT;
        context.fillText(row.label, GAP, y + 10);
        y += ROW_GAP;
        y += (row.kind === 'filters' ? paintFilters(filters, y, perRow) : paintMaps(row.layer, y, perRow)) + GAP;
      }
      canvas.dataset.filters = String(filters.count);
      canvas.dataset.maps = String(maps.length);
      caption.textContent = maps.length
        ? 'The filters slide over the drawing; each map shows where one filter found its pattern (darker: stronger), '
          + 'and pooling keeps the strongest response of each 2×2 square.'
        : 'Each filter slides over the image looking for its pattern. Draw a digit to see the maps it makes.';
    },
    hide() {
      figure.hidden = true;
      delete canvas.dataset.filters;
    },
  };
}
