// The drawing pad: pointer strokes (mouse, touch, pen) as smooth round lines, dark ink on white.
// It only draws and hands out its pixels; preparing them for the network is Rust's job.

/**
 * createDrawPad(canvas, { onChange }) → { clear, pixels, isEmpty }
 * onChange() is called at most once per animation frame while the drawing changes.
 */
export function createDrawPad(canvas, { onChange }) {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  // Stroke width in canvas pixels: about what MNIST's pen is relative to its 20-pixel digit box.
  const lineWidth = Math.round(canvas.width / 13);
  let drawing = null; // the active pointer's id and last point
  let empty = true;
  let changeQueued = false;

  function paper() {
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }

  function point(event) {
    // The drawing surface is the content box: skip the border (clientLeft/Top) so ink lands under the pointer.
    const rect = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left - canvas.clientLeft) / canvas.clientWidth) * canvas.width,
      y: ((event.clientY - rect.top - canvas.clientTop) / canvas.clientHeight) * canvas.height,
    };
  }

  function changed() {
    empty = false;
    if (changeQueued) return;
    changeQueued = true;
    requestAnimationFrame(() => {
      changeQueued = false;
      onChange?.();
    });
  }

  function line(from, to) {
    context.strokeStyle = '#111111';
    context.lineWidth = lineWidth;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 && event.pointerType === 'mouse') return;
    event.preventDefault();
    canvas.setPointerCapture?.(event.pointerId);
    const p = point(event);
    drawing = { id: event.pointerId, last: p };
    line(p, p); // a tap makes a dot
    changed();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing || event.pointerId !== drawing.id) return;
    event.preventDefault();
    // Coalesced events keep fast strokes smooth where the browser offers them.
    const events = event.getCoalescedEvents?.() ?? [];
    for (const e of events.length ? events : [event]) {
      const p = point(e);
      line(drawing.last, p);
      drawing.last = p;
    }
    changed();
  });
  const end = (event) => {
    if (drawing && event.pointerId === drawing.id) drawing = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  // No page scrolling or zooming while a finger draws (CSS touch-action: none does the rest).
  canvas.addEventListener('touchstart', (event) => event.preventDefault(), { passive: false });

  paper();
  return {
    clear() {
      paper();
      drawing = null;
      empty = true;
      onChange?.();
    },
    pixels() {
      return context.getImageData(0, 0, canvas.width, canvas.height);
    },
    get isEmpty() {
      return empty;
    },
  };
}
