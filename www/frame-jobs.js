// Work spread over animation frames: each job is a generator that does one small, bounded piece of
// work per step (`yield` between pieces). The jobs together are one task of the page's frame
// scheduler (frame-scheduler.js), which gives them at most `share` of a frame's budget while training
// runs, so views can refresh without making a frame late. Jobs have names; starting a job under a
// name that is still running replaces it (its results would be stale anyway). No DOM here.

/**
 * createFrameJobs(scheduler, { name, share, onError }) → { start(name, generator), cancel(name), clear(), busy }
 * onError(name, error) hears about a step that threw; that job is dropped.
 */
export function createFrameJobs(scheduler, { name = 'views', share = 0.25, onError } = {}) {
  const jobs = new Map(); // name → generator, in starting order

  // A job that is replaced from inside its own step is already running and cannot be returned.
  const stop = (job) => {
    try {
      job?.return();
    } catch {
      // it ends when its step returns; being out of the map, it is never stepped again
    }
  };

  function step(name, job) {
    try {
      if (job.next().done && jobs.get(name) === job) jobs.delete(name);
    } catch (error) {
      if (jobs.get(name) === job) jobs.delete(name);
      onError?.(name, error);
    }
  }

  // Round-robin over the jobs, one step each, until the slice is spent (always at least one step).
  function run(ms) {
    const deadline = performance.now() + ms;
    do {
      for (const [name, job] of [...jobs]) {
        if (jobs.get(name) !== job) continue; // replaced or cancelled by an earlier step
        step(name, job);
        if (performance.now() >= deadline) break;
      }
    } while (jobs.size && performance.now() < deadline);
  }

  scheduler.add({ name, share, run, wants: () => jobs.size > 0 });

  return {
    start(name, generator) {
      stop(jobs.get(name));
      jobs.delete(name); // a restarted job goes to the back of the queue
      jobs.set(name, generator);
      scheduler.wake();
    },
    cancel(name) {
      stop(jobs.get(name));
      jobs.delete(name);
    },
    clear() {
      for (const job of jobs.values()) stop(job);
      jobs.clear();
    },
    get busy() {
      return jobs.size > 0;
    },
  };
}
