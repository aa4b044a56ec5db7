// Views that nobody is looking at wait while the network trains. Refreshing the Look inside views
// and the How it works walk-through after every test evaluation cost training about a tenth of the
// wall-clock time (page trace, Chromium, default recipe, 2026-11-29: training 59 % of the time with
// them, 66 % without — their JavaScript took 2–3 %, and the drawing that followed held the next
// frames back by up to 10 ms each). So while training runs and a panel is off screen, its refreshes
// are remembered, not done; they are done at once when the panel comes on screen or training stops
// (pause, finish, a lesson), so what a person sees is never stale.
//
// deferWhileTraining(page, element) → { run(key, refresh) }
//   run(key, refresh)  calls refresh() now if the element is on screen or the page is not training;
//                      otherwise keeps it (the last one per key) for later.

const MARGIN = '200px';   // a panel about to scroll into view counts as on screen

export function deferWhileTraining(page, element) {
  const waiting = new Map();   // key → refresh, in the order first asked
  // Unknown until the observer's first answer (it comes with the next frame): counted as on screen.
  let visible = true;

  function catchUp() {
    const due = [...waiting.values()];
    waiting.clear();
    for (const refresh of due) refresh();
  }

  if (typeof IntersectionObserver === 'function') {
    new IntersectionObserver((entries) => {
      visible = entries.at(-1).isIntersecting;
      if (visible) catchUp();
    }, { rootMargin: MARGIN }).observe(element);
  }
  page.on('state', (state) => {
    if (state !== 'training') catchUp();
  });

  return {
    run(key, refresh) {
      if (visible || page.state !== 'training') {
        waiting.delete(key);
        refresh();
      } else {
        waiting.set(key, refresh);
      }
    },
  };
}
