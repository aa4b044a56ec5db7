// Lists of small test images (28×28 bytes from Rust), drawn as dark ink on white like the pad.
// A list keeps its elements and reuses them, so refreshing it during training creates no garbage
// DOM and never flickers.
import { SIDE, paintDigit } from './pictures.js';

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
        paintDigit(it.canvas, example.pixels, { full: 255 });
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
