// The frame scheduler without a browser: a fake clock and fake animation frames; tasks "work" by
// moving the clock on by the time they are given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFrameScheduler } from '../../www/frame-scheduler.js';
import { FrameBudget } from '../../www/frame-budget.js';

function fakeBrowser() {
  const clock = { now: 0 };
  let pending = null;
  const listeners = [];
  const frames = {
    request: (callback) => {
      pending = callback;
      return 1;
    },
    cancel: () => {
      pending = null;
    },
    now: () => clock.now,
  };
  const visibility = { hidden: false, onChange: (callback) => listeners.push(callback) };
  return {
    clock,
    frames,
    visibility,
    get waiting() {
      return pending !== null;
    },
    // Runs the next frame at the next 60 Hz vsync after the clock.
    frame() {
      const callback = pending;
      pending = null;
      if (!callback) return false;
      clock.now = Math.ceil((clock.now + 1e-9) / (1000 / 60)) * (1000 / 60);
      callback(clock.now);
      return true;
    },
    setHidden(hidden) {
      visibility.hidden = hidden;
      for (const listener of listeners) listener();
    },
  };
}

const worker = (clock, name, options = {}) => {
  const task = { name, given: [], ran: 0, wanting: true, ...options };
  task.wants = () => task.wanting;
  task.run = (ms) => {
    task.given.push(ms);
    task.ran += 1;
    clock.now += ms;
  };
  return task;
};

test('a filler takes what the shared tasks leave; shared tasks are capped by their share', () => {
  const browser = fakeBrowser();
  const budget = new FrameBudget({ initialMs: 10 });
  const scheduler = createFrameScheduler({ budget, frames: browser.frames, visibility: browser.visibility });
  const training = worker(browser.clock, 'training', { fill: true });
  const evaluation = worker(browser.clock, 'evaluation', { share: 0.25 });
  scheduler.add(training);
  scheduler.add(evaluation);
  browser.frame();
  assert.ok(Math.abs(evaluation.given[0] - 2.5) < 1e-9, `evaluation got ${evaluation.given[0]}`);
  assert.ok(Math.abs(training.given[0] - 7.5) < 1e-9, `training got ${training.given[0]}`);
  // Alone, the shared task gets the whole budget.
  training.wanting = false;
  browser.frame();
  const whole = budget.budgetMs;
  assert.ok(Math.abs(evaluation.given[1] - whole) < 1e-9, `${evaluation.given[1]} of ${whole}`);
});

test('a filler always gets some time, even when shared tasks used the budget', () => {
  const browser = fakeBrowser();
  const scheduler = createFrameScheduler({ budget: new FrameBudget({ initialMs: 4 }), frames: browser.frames, visibility: browser.visibility });
  const greedy = { name: 'views', share: 1, wants: () => true, run: () => { browser.clock.now += 10; } };
  const training = worker(browser.clock, 'training', { fill: true });
  scheduler.add(greedy);
  scheduler.add(training);
  browser.frame();
  assert.equal(training.ran, 1);
  assert.ok(training.given[0] >= 1);
});

test('the loop sleeps when no task wants time and wakes when asked', () => {
  const browser = fakeBrowser();
  const scheduler = createFrameScheduler({ frames: browser.frames, visibility: browser.visibility });
  const task = worker(browser.clock, 'evaluation', { share: 0.25, wanting: false });
  scheduler.add(task);
  assert.equal(browser.waiting, false);
  task.wanting = true;
  scheduler.wake();
  assert.equal(browser.waiting, true);
  browser.frame();
  assert.equal(task.ran, 1);
});

test('what is presented runs once per frame, after the work, the last one queued per key', () => {
  const browser = fakeBrowser();
  const scheduler = createFrameScheduler({ frames: browser.frames, visibility: browser.visibility });
  const order = [];
  scheduler.add({
    name: 'training', fill: true, wants: () => order.length < 3,
    run: () => {
      order.push('work');
      scheduler.present('report', () => order.push('old report'));
      scheduler.present('report', () => order.push('report'));
    },
  });
  browser.frame();
  assert.deepEqual(order, ['work', 'report']);
});

test('a task that throws is removed and reported; the others go on', () => {
  const browser = fakeBrowser();
  const errors = [];
  const scheduler = createFrameScheduler({
    frames: browser.frames, visibility: browser.visibility, onError: (task, error) => errors.push([task.name, error.message]),
  });
  const good = worker(browser.clock, 'training', { fill: true });
  scheduler.add({ name: 'views', share: 0.25, wants: () => true, run: () => { throw new Error('broken view'); } });
  scheduler.add(good);
  browser.frame();
  browser.frame();
  assert.deepEqual(errors, [['views', 'broken view']]);
  assert.equal(good.ran, 2);
});

test('hidden: no frames, the page hears it; shown: frames again, and the account starts afresh', () => {
  const browser = fakeBrowser();
  const heard = [];
  const scheduler = createFrameScheduler({ frames: browser.frames, visibility: browser.visibility, onVisibility: (h) => heard.push(h) });
  const training = worker(browser.clock, 'training', { fill: true });
  scheduler.add(training);
  for (let i = 0; i < 30; i++) browser.frame();
  assert.ok(scheduler.usage().frames > 0);
  browser.setHidden(true);
  assert.equal(scheduler.hidden, true);
  assert.equal(browser.waiting, false, 'no frame is requested while hidden');
  browser.clock.now += 60_000;
  browser.setHidden(false);
  assert.deepEqual(heard, [true, false]);
  assert.equal(scheduler.usage().frames, 0);
  assert.equal(browser.waiting, true);
  const before = training.ran;
  browser.frame();
  assert.equal(training.ran, before + 1);
});

test("usage accounts each task's time within the last seconds", () => {
  const browser = fakeBrowser();
  const scheduler = createFrameScheduler({ budget: new FrameBudget({ initialMs: 8, headroomMs: 8 }), frames: browser.frames, visibility: browser.visibility });
  scheduler.add(worker(browser.clock, 'training', { fill: true }));
  for (let i = 0; i < 600; i++) browser.frame(); // 10 s
  const usage = scheduler.usage();
  assert.ok(usage.spanMs <= 3100 && usage.spanMs >= 2900, `span ${usage.spanMs}`);
  // 8 ms of each 16.7 ms frame (the budget is capped at the period minus 8 ms of headroom).
  assert.ok(Math.abs(usage.share('training') - 8.67 / 16.67) < 0.03, `share ${usage.share('training')}`);
  assert.equal(usage.share('evaluation'), 0);
});

test('when training starts, the budget forgets what it learnt from other work', () => {
  const browser = fakeBrowser();
  const budget = new FrameBudget();
  let refreshed = 0;
  const refresh = budget.refresh.bind(budget);
  budget.refresh = () => {
    refreshed += 1;
    refresh();
  };
  const scheduler = createFrameScheduler({ budget, frames: browser.frames, visibility: browser.visibility });
  const evaluation = worker(browser.clock, 'evaluation', { share: 0.25 });
  const training = worker(browser.clock, 'training', { fill: true, wanting: false });
  scheduler.add(evaluation);
  scheduler.add(training);
  for (let i = 0; i < 5; i++) browser.frame();
  assert.equal(refreshed, 0, 'not while only the evaluation works');
  training.wanting = true;
  for (let i = 0; i < 5; i++) browser.frame();
  assert.equal(refreshed, 1, 'once, when training starts');
  training.wanting = false;
  browser.frame();
  training.wanting = true;
  browser.frame();
  assert.equal(refreshed, 2, 'and again when it starts again');
});

test("when training starts, the time account starts afresh: the work before it is not the run's", () => {
  const browser = fakeBrowser();
  const scheduler = createFrameScheduler({ budget: new FrameBudget({ initialMs: 8 }), frames: browser.frames, visibility: browser.visibility });
  // A reset's test pass and views, just before Train is pressed (no idle gap in between).
  const evaluation = worker(browser.clock, 'evaluation', { share: 1 });
  const training = worker(browser.clock, 'training', { fill: true, wanting: false });
  scheduler.add(evaluation);
  scheduler.add(training);
  for (let i = 0; i < 30; i++) browser.frame();
  assert.ok(scheduler.usage().share('evaluation') > 0.3, 'the evaluation had the frames');
  evaluation.wanting = false;
  training.wanting = true;
  for (let i = 0; i < 60; i++) browser.frame(); // 1 s of training
  const usage = scheduler.usage();
  assert.equal(usage.share('evaluation'), 0, 'the evaluation before training is not in the account');
  assert.ok(usage.spanMs < 1100, `span ${usage.spanMs} ms: from the first training frame`);
  assert.ok(usage.share('training') > 0.45, `share ${usage.share('training')}`);
});
