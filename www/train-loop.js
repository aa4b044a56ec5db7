// The training loop: works on the network for a measured slice of each animation frame, then
// yields to the browser so the page never freezes. No DOM here; results go to callbacks.

const DEFAULTS = {
  frameBudgetMs: 8,            // training time per frame; the rest of the ~16.7 ms frame is the page's
  evaluationBudgetMs: 2,       // test-set evaluation time per frame while training
  evaluationEveryExamples: 10_000,
  evaluationChunk: 250,        // test images between two looks at the clock
};

/**
 * createTrainLoop(session, callbacks, options) → { start, pause, step, evaluateNow, running }
 * callbacks: onReport(report, now), onEvaluation(evaluation), onStop(reason), onError(error)
 * reason is 'paused' or 'finished'.
 */
export function createTrainLoop(session, callbacks, options = {}) {
  const o = { ...DEFAULTS, ...options };
  let training = false;
  let frameId = 0;
  let evaluating = false;          // a test-set evaluation is under way (in Rust, on a copy of the weights)
  let evaluatedAt = -1;            // training examples seen when the last evaluation started
  let totalExamples = 0;
  let finishedPending = false;

  const schedule = () => {
    if (!frameId) frameId = requestAnimationFrame(tick);
  };

  // Advances the evaluation for up to `budgetMs`; starts one if the weights moved on enough.
  function evaluate(budgetMs, force) {
    const due = force ? totalExamples !== evaluatedAt : totalExamples - evaluatedAt >= o.evaluationEveryExamples;
    if (!evaluating && due) {
      evaluating = true;
      evaluatedAt = totalExamples;
    }
    const deadline = performance.now() + budgetMs;
    while (evaluating && performance.now() < deadline) {
      const result = session.evaluate(o.evaluationChunk);
      if (result) {
        evaluating = false;
        callbacks.onEvaluation?.(result);
      }
    }
  }

  function tick() {
    frameId = 0;
    try {
      if (training) {
        const report = session.train(0xffffffff, o.frameBudgetMs);
        totalExamples = report.totalExamples;
        callbacks.onReport?.(report, performance.now());
        evaluate(o.evaluationBudgetMs, false);
        if (report.finished) {
          training = false;
          finishedPending = true;
        }
      } else {
        // Paused or finished: bring the test accuracy up to date with the current weights, faster.
        evaluate(o.frameBudgetMs, true);
      }
    } catch (error) {
      training = false;
      evaluating = false;
      callbacks.onError?.(error);
      return;
    }
    if (training || evaluating || totalExamples !== evaluatedAt) {
      schedule();
    } else if (finishedPending) {
      finishedPending = false;
      callbacks.onStop?.('finished');
    }
  }

  return {
    get running() {
      return training;
    },
    start() {
      training = true;
      finishedPending = false;
      schedule();
    },
    pause() {
      if (!training) return;
      training = false;
      callbacks.onStop?.('paused');
      schedule(); // finish evaluating the weights it stopped at
    },
    // One optimiser step, then an evaluation of the new weights.
    step() {
      if (training) return;
      try {
        const report = session.train(1, Infinity);
        totalExamples = report.totalExamples;
        callbacks.onReport?.(report, performance.now());
        if (report.finished) finishedPending = true;
      } catch (error) {
        callbacks.onError?.(error);
        return;
      }
      schedule();
    },
    // Evaluates the current weights (after a reset or a model import).
    evaluateNow(examplesSoFar = 0) {
      totalExamples = examplesSoFar;
      evaluatedAt = -1;
      evaluating = false;
      schedule();
    },
    stop() {
      training = false;
      evaluating = false;
      if (frameId) cancelAnimationFrame(frameId);
      frameId = 0;
    },
  };
}
