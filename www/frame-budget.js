// How much of each animation frame the page's own work may take. No DOM here: it only hears when
// frames begin and when their work ended, so it is tested without a browser
// (tests/js/frame-budget.test.mjs).
//
// The budget is a time after the frame began (its animation-frame timestamp) by which the page's
// work must be done — not a length of work. The browser often calls the page several milliseconds
// after the frame began (its own tasks, other programs on a busy machine); that delay is part of the
// frame too, so the work gets what is left.
//
// Why adaptive: the time the browser needs for its own part of a frame (style, layout, painting,
// compositing) and the frame period itself (60, 120 or 144 Hz) differ from machine to machine and
// from minute to minute — a second program busy on one core makes everything slower. A fixed budget
// is either too small on a fast machine (the frame idles) or too large on a slow one (frames come
// late and the page stutters). So the budget learns from the frames themselves:
//   - the period is a low percentile of the intervals between frames over the last seconds (frames
//     that came late are longer, never shorter, so a low percentile is the refresh period — if any
//     frame came on time; so the budget starts small, at `initialMs`, where frames come on time on
//     a 144 Hz display too, and grows from there);
//   - a frame that arrives late (more than `lateFactor` periods after the one before) after a frame
//     whose work took a good part of its budget means the work was too much: the budget shrinks by
//     `backoff` at once, and the budget that was too much becomes the `ceiling` to approach
//     carefully. A frame late after little work — under half its budget, or under 4 ms (a quarter
//     of a 60 Hz frame) — was not made late by the work (the machine or the browser was busy, or called the
//     page late): shrinking would cost training time and win nothing, so the budget stays. (Without
//     that quarter, a machine busy with another program made every frame's small work "guilty"
//     and the budget sank to its least: training at a tenth of its speed for no smoother frames.)
//   - a frame on time lets the budget grow: quickly while well under the ceiling, then by a small
//     fraction per frame (probing whether the browser got faster). So a late frame of our making
//     comes once in some sixty frames at most, instead of every few frames as a budget sawing up and
//     down through the limit would ("95 % of frames within 20 ms" is a target). After `forgetAfter`
//     frames in a row without a late frame of our making, the ceiling is forgotten: it was set by a
//     passing hiccup (a garbage collection, another program's burst), and creeping back up from
//     it by a fraction per frame would take half a minute of training at a fraction of the speed;
//   - the budget never exceeds the period minus `headroomMs` (the browser always needs some time)
//     and never falls under `minMs` (work must go on, even slowly, on a machine that is too busy).
// A gap (the tab was hidden, the machine slept, a debugger paused) is not a late frame: intervals
// longer than `gapMs` are ignored.

export const DEFAULTS = {
  initialMs: 2,
  minMs: 2,
  // The least a frame leaves to the browser. A cap, not the margin that keeps frames on time (the
  // late-frame back-off above does that): with 2 ms, page traces (2026-11-29, Chromium and Firefox,
  // default recipe) showed the next frame beginning 2 ms after the work ended, every frame on time,
  // and the budget pressed against the cap; with 1 ms training got 3 points more of the wall-clock
  // time and the page benchmark still found every frame within 20 ms.
  headroomMs: 1,
  lateFactor: 1.2,      // at 60 Hz: an interval above 20 ms is late
  backoff: 0.75,
  ownShare: 0.5,        // work that took this share of its budget could have made the next frame late
  blameFloorMs: 4,      // … but never work under 4 ms (a quarter of a 60 Hz frame; a quarter of the
                        // period on faster displays): that much is the page's even on a machine so
                        // busy that frames come late whatever it does
  fastGrowthMs: 0.5,    // per frame on time, well under the ceiling (2 to 14 ms in 0.4 s)
  slowGrowth: 0.001,    // of the budget, per frame on time, near the ceiling or above it
  forgetAfter: 180,     // frames (3 s at 60 Hz) without a late frame of ours, then the ceiling goes
  gapMs: 400,
  window: 300,          // intervals kept for the period estimate (5 s at 60 Hz)
  trustAfter: 30,       // intervals before their low percentile is trusted (see #estimatePeriod)
};

export class FrameBudget {
  #o;
  #last = null;          // when the previous frame began
  #intervals = [];       // recent intervals between frames, oldest first
  #period = 1000 / 60;
  #lowestPeriod = Infinity;  // the lowest period measured, rising slowly (see #estimatePeriod)
  #budget;
  #ceiling = Infinity;
  #previous;             // the budget given to the frame before this one
  #previousWork = null;  // how long the previous frame's work took (ms)
  #calm = 0;             // frames since the last late frame of our making
  #afterLate = false;    // the frame before came late: this interval may be a catch-up

  constructor(options = {}) {
    this.#o = { ...DEFAULTS, ...options };
    this.#budget = this.#o.initialMs;
    this.#previous = this.#budget;
  }

  /** The refresh period measured so far, in ms (16.7 until frames have been seen). */
  get periodMs() {
    return this.#period;
  }

  /** The current budget, in ms after a frame begins. */
  get budgetMs() {
    return this.#budget;
  }

  /** Forgets when the last frame began (after a pause, so the next interval is not judged). */
  pause() {
    this.#last = null;
    this.#previousWork = null;
    this.#forgetCeiling();
  }

  /**
   * New work begins (training starts): a ceiling learnt from other work — the page loading, say,
   * which held Firefox runs at 3–4 ms budgets for their first seconds — is forgotten.
   */
  refresh() {
    this.#forgetCeiling();
  }

  #forgetCeiling() {
    this.#ceiling = Infinity;
    this.#calm = 0;
  }

  /**
   * A frame began at `time` (ms, the animation frame's timestamp). Returns { deadline, budgetMs,
   * late, intervalMs }: the work of this frame should end by `deadline` (= time + budgetMs); late
   * tells whether this frame came late.
   */
  frame(time) {
    const o = this.#o;
    const interval = this.#last === null ? null : time - this.#last;
    const previousWork = this.#previousWork;
    this.#last = time;
    this.#previousWork = null;
    if (interval === null || interval > o.gapMs || interval <= 0) {
      // After a gap (the loop slept, or the tab was hidden) the page does other work than before
      // it — a ceiling set while the page was loading, say, would hold a whole training run back
      // (seen in Firefox: 4.5 ms budgets for the first 3 s of a run) — so the ceiling is forgotten.
      if (interval !== null) this.#forgetCeiling();
      this.#afterLate = false;
      return { deadline: time + this.#budget, budgetMs: this.#budget, late: false, intervalMs: interval };
    }
    const late = interval > this.#period * o.lateFactor;
    // A frame sooner than the period right after a late one is the browser catching up.
    if (!(this.#afterLate && interval < this.#period)) {
      this.#intervals.push(interval);
      if (this.#intervals.length > o.window) this.#intervals.shift();
      this.#period = this.#estimatePeriod();
    }
    this.#afterLate = late;
    const most = Math.max(o.minMs, this.#period - o.headroomMs);
    // Unknown (not told) counts as work that could have made it late.
    const floor = Math.min(o.blameFloorMs, 0.25 * this.#period);
    const ours = previousWork === null || previousWork >= Math.max(o.ownShare * this.#previous, floor);
    // Work that ran far past its budget (one piece longer than the whole budget: a garbage
    // collection, a view's slow step) made the frame late whatever the budget was: it says nothing
    // about the budget, and a ceiling set from it held Firefox runs at 3–4 ms for seconds.
    const overran = previousWork !== null && previousWork > 1.5 * this.#previous + 1;
    const guilty = late && ours && !overran;
    this.#calm = guilty ? 0 : this.#calm + 1;
    if (this.#calm >= o.forgetAfter) this.#forgetCeiling();
    if (guilty) {
      // The work that made this frame late was done in the frame before.
      this.#ceiling = Math.min(this.#budget, this.#previous);
      this.#budget = Math.max(o.minMs, this.#ceiling * o.backoff);
    } else if (late) {
      // Not of our making: keep the budget, or grow it up to the work no frame is blamed on (when
      // every frame comes late, none would otherwise let it grow from its least).
      this.#budget = Math.max(this.#budget, Math.min(this.#budget + o.fastGrowthMs, floor));
    } else if (this.#budget < 0.95 * this.#ceiling) {
      this.#budget = Math.min(this.#budget + o.fastGrowthMs, 0.95 * this.#ceiling);
    } else {
      this.#budget *= 1 + o.slowGrowth;
    }
    this.#budget = Math.min(this.#budget, most);
    this.#previous = this.#budget;
    return { deadline: time + this.#budget, budgetMs: this.#budget, late, intervalMs: interval };
  }

  /** The work of the frame that began at the last frame(time) ran from `start` to `end`. */
  ended(start, end) {
    if (this.#last !== null) this.#previousWork = end - start;
  }

  // The 5th percentile of the recent intervals: the period, as long as one frame in twenty came on
  // time, and not fooled by the odd pair of frames a browser sends back to back to catch up. When
  // every frame has come late for seconds, the recent intervals alone would take the late interval
  // for the period (and the budget would grow into it); so the lowest period seen also counts, and
  // it rises by only 0.01 % a frame (a minute to rise by a third: a display that really changed
  // rate, say a window moved from a 144 Hz screen to a 60 Hz one, gets there in the end).
  //
  // Catch-up frames fooled it all the same while few intervals had been seen, and the lowest period
  // kept the mistake for minutes: Firefox, after long tasks while the page prepared a run, sent
  // frames 2.7 and 14 ms after late ones (81 and 69 ms) when some 40 intervals had been seen; the
  // period read 14 ms, every 16–17 ms frame looked late, and the budget sank to 3–4 ms (training
  // 11–14 % of the time; one page load in five in a trace, 2026-11-29). So an interval shorter
  // than the period right after a late frame is left out of the estimate (it says when the browser
  // caught up, not how often the display refreshes), and until `trustAfter` intervals have been
  // seen the period is their median.
  #estimatePeriod() {
    const sorted = [...this.#intervals].sort((a, b) => a - b);
    let period;
    if (sorted.length < this.#o.trustAfter) {
      period = sorted[Math.floor(sorted.length / 2)];
    } else {
      const recent = sorted[Math.floor((sorted.length - 1) * 0.05)];
      period = this.#lowestPeriod = Math.min(this.#lowestPeriod * 1.0001, recent);
    }
    return Math.min(50, Math.max(4, period));
  }
}
