// How the page's parts hear about each other: the browser's own EventTarget, with the news in the
// event's `detail`. The object that owns some state emits its events; anyone listens with
// on(type, fn), and fn gets the detail. A listener that throws is reported by the browser and
// keeps neither the emitter nor the other listeners from going on.
export class Events extends EventTarget {
  on(type, listener) {
    this.addEventListener(type, (event) => listener(event.detail));
  }

  /** For the owner of the state the event is about. */
  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
