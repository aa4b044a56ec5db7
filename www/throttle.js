// "At most every N ms, and once more after the last request": for views that follow a network while
// it trains, which must not redraw on every training slice but must end on the final weights.

/**
 * createThrottle(everyMs, fire) → { request(), ran() }
 *   request(): asks for fire() — once `everyMs` have passed since the last ran(), however many
 *     requests come in the meantime; a request while one waits is part of it, so the last request
 *     is always followed by a fire(). fire() is called from a timer, never inside the caller's
 *     event (the page's report handlers run in a training frame).
 *   ran(): the work was done (from fire() or directly, as after a reset): drops a waiting fire()
 *     and counts the next wait from now.
 */
export function createThrottle(everyMs, fire) {
  let timer = 0;
  let ranAt = -Infinity;
  return {
    request() {
      if (timer) return;
      const wait = Math.max(0, ranAt + everyMs - performance.now());
      timer = setTimeout(() => {
        timer = 0;
        fire();
      }, wait);
    },
    ran() {
      clearTimeout(timer);
      timer = 0;
      ranAt = performance.now();
    },
  };
}
