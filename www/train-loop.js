// The training loop: two tasks on the page's frame scheduler (frame-scheduler.js). The test-set
// evaluation (on a copy of the weights, in Rust), when one is under way, goes first in each frame
// and takes what it needs of the budget (up to `evaluationShare` of it while training runs);
// training fills whatever is left. Results reach the callbacks after the frame's work, once per frame.
// No DOM here.

const MAX_STEPS = 0xffffffff;    // "no limit" for Session.train's u32

const DEFAULTS = {
  // A test-set pass (all 10,000 images) costs about a third of training on 10,000 examples (a
  // forward pass against forward, backward and update: 40 against 120 ms in V8, Chromium's engine, on
  // the 2-core Intel machine), so every 20,000 examples it takes about a seventh of the time. It goes
  // first, with as much of each frame as it needs, and training takes the rest: the work is the same
  // whatever its share, but the chart and the test accuracy wait for the pass, and with a fifth of
  // each frame it took some 15 frames (a quarter of a second) to show each point — the 98 % too. Page
  // benchmark, 2026-11-29, the same hour: 3.0 / 3.5 s to 98 % (Chromium / Firefox, median of seeds
  // 7–9) with the whole frame, 3.7 / 4.2 s with a fifth. Training waits no longer than a pass takes
  // (an MLP's is about 40 ms of work, a few frames). The native trainer's --eval-every 20000
  // evaluates at the same points, for the page benchmark's comparison.
  evaluationShare: 1,
  evaluationEveryExamples: 20_000,
  evaluationChunk: 200,         // most test images per call into Rust (an MLP: about a millisecond)
  batchSize: () => 0,           // examples per step of the run (0: unknown)
};

/**
 * createTrainLoop(session, scheduler, callbacks, options) → { start, pause, step, evaluateNow, stop, running }
 * options.batchSize(): the run's batch size, so evaluations start exactly every
 * evaluationEveryExamples examples.
 * callbacks: onReport(report), onEvaluation(evaluation), onStop(reason), onError(error)
 * reason is 'paused' or 'finished'.
 */
export function createTrainLoop(session, scheduler, callbacks, options = {}) {
  const o = { ...DEFAULTS, ...options };
  let training = false;
  let evaluating = false;          // a test-set evaluation is under way (in Rust, on a copy of the weights)
  let evaluatedAt = -1;            // training examples seen when the last evaluation started
  let totalExamples = 0;
  let finishedPending = false;
  let imageMs = 0.005;             // how long one test image takes, lately (a ConvNet's: ten times more)

  const evaluationDue = () =>
    training ? totalExamples - evaluatedAt >= o.evaluationEveryExamples : totalExamples !== evaluatedAt;

  function fail(error) {
    training = false;
    evaluating = false;
    finishedPending = false;
    scheduler.present('training-error', () => callbacks.onError?.(error));
  }

  // Finished, and the final weights evaluated: say so once.
  function settle() {
    if (!training && finishedPending && !evaluating && !evaluationDue()) {
      finishedPending = false;
      scheduler.present('training-stop', () => callbacks.onStop?.('finished'));
    }
  }

  // Trains for `ms`. At every evaluationEveryExamples-th example exactly (as the native trainer's
  // --eval-every does), it starts an evaluation of the weights as they are there and trains on.
  function train(ms) {
    const deadline = performance.now() + ms;
    try {
      let report;
      let more = true;
      while (more) {
        const batch = o.batchSize();
        const untilEvaluation = evaluating ? Infinity : evaluatedAt + o.evaluationEveryExamples - totalExamples;
        const steps = Number.isFinite(untilEvaluation) && batch > 0 ? Math.max(1, Math.ceil(untilEvaluation / batch)) : MAX_STEPS;
        report = session.train(steps, Math.max(0, deadline - performance.now()));
        totalExamples = report.totalExamples;
        if (report.finished) {
          training = false;
          finishedPending = true;
        }
        if (!evaluating && evaluationDue()) startEvaluation();
        // Stopped at the evaluation, not by the clock: go on with the rest of the slice.
        more = training && report.steps >= steps && performance.now() < deadline;
      }
      scheduler.present('training-report', () => callbacks.onReport?.(report));
    } catch (error) {
      fail(error);
      return;
    }
    settle();
  }

  // Rust's answer to an evaluate() call: null while the pass goes on, its result when it is over.
  function evaluated(result) {
    if (!result) return;
    evaluating = false;
    scheduler.present('evaluation', () => callbacks.onEvaluation?.(result));
  }

  // Rust takes a copy of the weights as they are now; the evaluation task goes through the test set.
  function startEvaluation() {
    evaluating = true;
    evaluatedAt = totalExamples;
    evaluated(session.evaluate(1));
  }

  // Evaluates chunks until not even a small one would fit in `ms` (always at least one).
  function evaluate(ms) {
    const deadline = performance.now() + ms;
    try {
      if (!evaluating && evaluationDue()) startEvaluation();
      while (evaluating) {
        // As many images as fit in the time left (at least a few), so that a slower network — a
        // ConvNet — takes smaller chunks rather than longer frames.
        const images = Math.max(8, Math.min(o.evaluationChunk, Math.floor((deadline - performance.now()) / imageMs)));
        const start = performance.now();
        const result = session.evaluate(images);
        imageMs = 0.8 * imageMs + 0.2 * Math.max(1e-4, (performance.now() - start) / images);
        evaluated(result);
        if (performance.now() + 8 * imageMs >= deadline) break;
      }
    } catch (error) {
      fail(error);
      return;
    }
    settle();
  }

  scheduler.add({ name: 'training', fill: true, wants: () => training, run: train });
  scheduler.add({
    name: 'evaluation', share: o.evaluationShare, wants: () => evaluating || evaluationDue(), run: evaluate,
  });

  return {
    get running() {
      return training;
    },
    // Whether the test set is being gone through, or is about to be, for the weights as they are.
    get evaluationPending() {
      return evaluating || evaluationDue();
    },
    start() {
      training = true;
      finishedPending = false;
      scheduler.wake();
    },
    pause() {
      if (!training) return;
      training = false;
      callbacks.onStop?.('paused');
      scheduler.wake(); // finish evaluating the weights it stopped at
    },
    // One optimiser step, then an evaluation of the new weights.
    step() {
      if (training) return;
      try {
        const report = session.train(1, Infinity);
        totalExamples = report.totalExamples;
        callbacks.onReport?.(report);
        if (report.finished) finishedPending = true;
      } catch (error) {
        callbacks.onError?.(error);
        return;
      }
      scheduler.wake();
    },
    // Evaluates the current weights (after a reset or a model import).
    evaluateNow(examplesSoFar = 0) {
      totalExamples = examplesSoFar;
      evaluatedAt = -1;
      evaluating = false;
      scheduler.wake();
    },
    stop() {
      training = false;
      evaluating = false;
      finishedPending = false;
    },
  };
}
