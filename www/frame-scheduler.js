// The one animation-frame loop of the page. Everything that works a little every frame — training,
// the test-set evaluation, the inspection views, the side-by-side comparison — is a task that asks
// this scheduler for time instead of running a loop of its own. Each frame it asks the FrameBudget
// (frame-budget.js) how much work fits, gives the tasks their slices, then runs what was queued to
// be shown (charts, numbers) once, after the work. It keeps an account of where the time went, which
// the page shows ("time in the last 3 s: training 74%, …") and the benchmark reads.
//
// Tasks: { name, run(ms), wants(), share, fill }
//   run(ms)   does at most about `ms` of work (it is told its slice; it stops on its own)
//   wants()   true while it has work; the loop sleeps when no task wants time
//   fill      the task takes whatever the others leave (training, the comparison); when several
//             fill tasks want time they split it
//   share     the most of the frame's budget a task that is not a filler takes while a filler wants
//             time (the evaluation, the views); alone, they share the whole budget
// No DOM here except through the injected `frames` and `visibility` (tests pass fakes).
import { FrameBudget } from './frame-budget.js';

const STATS_WINDOW_MS = 3000;  // "the last seconds" of the time account
const LEAST_FILL_MS = 1;       // a filler always gets this much, so training moves even when views are busy
const IDLE_GAP_MS = 250;       // no frame for this long: the loop slept

function browserFrames() {
  return {
    request: (callback) => requestAnimationFrame(callback),
    cancel: (id) => cancelAnimationFrame(id),
    now: () => performance.now(),
  };
}

function browserVisibility() {
  return {
    get hidden() {
      return document.visibilityState === 'hidden';
    },
    onChange: (callback) => document.addEventListener('visibilitychange', callback),
  };
}

/**
 * createFrameScheduler({ budget, frames, visibility, onError, onVisibility })
 *   onError(task, error): a task's step threw; the task is removed.
 *   onVisibility(hidden): the tab was hidden (animation frames stop) or shown again.
 * → { add(task), wake(), present(key, fn), usage(), hidden }
 */
export function createFrameScheduler({
  budget = new FrameBudget(),
  frames = browserFrames(),
  visibility = browserVisibility(),
  onError,
  onVisibility,
} = {}) {
  const tasks = new Map();     // name → task
  const shows = new Map();     // key → function, run once after this frame's work
  const account = [];          // { start, end, work: { [task]: ms } } per frame, oldest first
  let frameId = 0;
  let hidden = visibility.hidden;
  let filling = false;         // a fill task wanted time in the last frame

  const wanting = () => [...tasks.values()].filter((task) => task.wants());

  function wake() {
    if (!frameId && !hidden && (shows.size || wanting().length)) frameId = frames.request(frame);
  }

  function runTask(task, ms, work) {
    const start = frames.now();
    try {
      task.run(ms);
    } catch (error) {
      tasks.delete(task.name);
      onError?.(task, error);
    }
    work[task.name] = (work[task.name] ?? 0) + (frames.now() - start);
  }

  function frame(timestamp) {
    frameId = 0;
    const start = frames.now();
    // The budget counts from when the frame began; the browser may call us well after that.
    const began = Number.isFinite(timestamp) && timestamp <= start ? timestamp : start;
    const { deadline, budgetMs } = budget.frame(began);
    const work = {};
    const active = wanting();
    const fillers = active.filter((task) => task.fill);
    const others = active.filter((task) => !task.fill);
    // Training (or a comparison) starts: what the budget learnt from other work does not apply,
    // and the time account starts afresh, so "time in the last 3 s: training 74%" is about the run —
    // not about the work just before it (a reset's test pass and views, a drawing being read).
    if (fillers.length && !filling) {
      budget.refresh();
      account.length = 0;
    }
    filling = fillers.length > 0;
    // The tasks with a share first, each capped by its share while a filler waits for the rest.
    for (const [i, task] of others.entries()) {
      const left = deadline - frames.now();
      if (left <= 0) break;
      const cap = fillers.length ? budgetMs * (task.share ?? 0.25) : left / (others.length - i);
      runTask(task, Math.min(left, cap), work);
    }
    for (const [i, task] of fillers.entries()) {
      const left = Math.max(LEAST_FILL_MS, (deadline - frames.now()) / (fillers.length - i));
      runTask(task, left, work);
    }
    const presented = frames.now();
    const queued = [...shows.values()];
    shows.clear();
    for (const show of queued) {
      try {
        show();
      } catch (error) {
        onError?.({ name: 'show' }, error);
      }
    }
    const end = frames.now();
    if (queued.length) work.show = end - presented;
    budget.ended(start, end);
    record({ start, end, work });
    wake();
  }

  function record(entry) {
    // After a pause with no frames (nothing wanted time), the account starts afresh: the idle gap
    // is not time the work could have had.
    if (account.length && entry.start - account.at(-1).end > IDLE_GAP_MS) account.length = 0;
    account.push(entry);
    while (account.length > 1 && entry.end - account[0].start > STATS_WINDOW_MS) account.shift();
  }

  visibility.onChange(() => {
    const now = visibility.hidden;
    if (now === hidden) return;
    hidden = now;
    // Frames stop while hidden: what happened before is no guide to what comes after.
    budget.pause();
    account.length = 0;
    if (hidden && frameId) {
      frames.cancel(frameId);
      frameId = 0;
    }
    onVisibility?.(hidden);
    wake();
  });

  return {
    /** Adds (or replaces) a task and starts the loop if it wants time. */
    add(task) {
      tasks.set(task.name, task);
      wake();
    },
    /** A task has work again: make sure a frame is coming. */
    wake,
    /** Runs `show` after this frame's work (once per key and frame: the last one queued wins). */
    present(key, show) {
      shows.set(key, show);
      wake();
    },
    /** Whether the tab is hidden (no frames come). */
    get hidden() {
      return hidden;
    },
    /**
     * Where the last seconds went: { spanMs, frames, work: { [task]: ms }, budgetMs, periodMs, share(name) }.
     * spanMs runs from the first recorded frame's start to the last one's end; share(name) is a
     * task's part of it (0 to 1).
     */
    usage() {
      const work = {};
      for (const entry of account) {
        for (const [name, ms] of Object.entries(entry.work)) work[name] = (work[name] ?? 0) + ms;
      }
      const spanMs = account.length ? account.at(-1).end - account[0].start : 0;
      return {
        spanMs,
        frames: account.length,
        work,
        budgetMs: budget.budgetMs,
        periodMs: budget.periodMs,
        share: (name) => (spanMs > 0 ? (work[name] ?? 0) / spanMs : 0),
      };
    },
  };
}
