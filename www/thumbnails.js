// Lists of small test images (28×28 bytes from Rust), drawn as dark ink on white like the pad.
// A list keeps its elements and reuses them, so refreshing it during training creates no garbage
// DOM and never flickers.

const SIDE = 28;

/** Draws 784 bytes (0 = paper, 255 = ink) into a 28×28 canvas. */
export function paintDigit(canvas, pixels) {
  const context = canvas.getContext('2d');
  const image = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const shade = 255 - pixels[i];
    image.data[i * 4] = shade;
    image.data[i * 4 + 1] = shade;
    image.data[i * 4 + 2] = shade;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/**
 * createThumbnailList(list, render) → { show(start, examples), truncate(count), get length }
 * render(item, example) fills an item ({ li, canvas, caption }) for one example of Rust's
 * testExamples ({index, label, predicted, pixels, top}).
 */
export function createThumbnailList(list, render) {
  const items = [];

  function item(k) {
    while (items.length <= k) {
      const li = document.createElement('li');
      const canvas = document.createElement('canvas');
      canvas.width = SIDE;
      canvas.height = SIDE;
      const caption = document.createElement('span');
      caption.className = 'thumb-caption';
      li.append(canvas, caption);
      items.push({ li, canvas, caption });
    }
    const it = items[k];
    if (!it.li.isConnected) list.append(it.li);
    return it;
  }

  return {
    /** Fills items start, start + 1, … with these examples. */
    show(start, examples) {
      examples.forEach((example, k) => {
        const it = item(start + k);
        paintDigit(it.canvas, example.pixels);
        render(it, example);
      });
    },
    /** Keeps the first `count` items on the page. */
    truncate(count) {
      for (let k = count; k < items.length; k++) items[k].li.remove();
    },
    get length() {
      return list.children.length;
    },
  };
}

/** A probability as a percentage: whole percents from 10 %, one decimal below. */
export const percent = (p) => `${(p * 100).toFixed(p >= 0.1 ? 0 : 1)}%`;
