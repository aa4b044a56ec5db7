// A lesson ("It's 7"): Rust gives it a few optimiser steps at a time (Session.lesson), as a task on
// the page's frame scheduler that fills each frame's budget until the lesson is done, like training.
// No DOM here.

/**
 * createLessonLoop(session, scheduler, callbacks, { waitWhile }) → { start(), get running }
 * callbacks: onDone({ ms, frames }) once the lesson's steps are all done — ms is the time spent in
 * Rust on them, frames the animation frames it took —, onError(error) if it failed (Rust put the
 * network back). While waitWhile() says so, a started lesson waits: the test set's evaluation of the
 * weights from before the lesson finishes first, so that "before" is measured, not lost (a lesson
 * step drops an unfinished evaluation — the weights it was of are gone).
 */
export function createLessonLoop(session, scheduler, callbacks, { waitWhile = () => false } = {}) {
  let running = false;
  let ms = 0;
  let frames = 0;

  function run(budgetMs) {
    const start = performance.now();
    let done;
    try {
      done = session.lesson(budgetMs);
    } catch (error) {
      running = false;
      scheduler.present('lesson-error', () => callbacks.onError?.(error));
      return;
    }
    ms += performance.now() - start;
    frames += 1;
    if (done) {
      running = false;
      const spent = { ms, frames };
      scheduler.present('lesson-done', () => callbacks.onDone?.(spent));
    }
  }

  scheduler.add({ name: 'lesson', fill: true, wants: () => running && !waitWhile(), run });

  return {
    get running() {
      return running;
    },
    start() {
      running = true;
      ms = 0;
      frames = 0;
      scheduler.wake();
    },
  };
}
