// The lesson loop without a browser: a stand-in scheduler that holds the loop's task, and a stand-in
// session whose lesson takes three calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLessonLoop } from '../../www/lesson-loop.js';

function fakeScheduler() {
  return {
    task: null,
    presented: [],
    add(task) {
      this.task = task;
    },
    present(name, show) {
      this.presented.push(name);
      show();
    },
    wake() {},
  };
}

function fakeSession(callsToFinish) {
  return {
    calls: 0,
    lesson() {
      this.calls += 1;
      return this.calls >= callsToFinish;
    },
  };
}

test('a started lesson waits while the evaluation of the weights before it is pending, then runs to its end', () => {
  const scheduler = fakeScheduler();
  const session = fakeSession(3);
  let pending = true;
  const done = [];
  const loop = createLessonLoop(session, scheduler, { onDone: (spent) => done.push(spent) }, { waitWhile: () => pending });
  assert.equal(scheduler.task.wants(), false, 'nothing to do before a lesson starts');
  loop.start();
  assert.equal(loop.running, true);
  assert.equal(scheduler.task.wants(), false, 'it waits for the evaluation');
  pending = false;
  assert.equal(scheduler.task.wants(), true, 'then it asks for time');
  for (let frame = 0; scheduler.task.wants(); frame++) {
    assert.ok(frame < 10, 'the lesson ends');
    scheduler.task.run(5);
  }
  assert.equal(session.calls, 3);
  assert.equal(loop.running, false);
  assert.equal(done.length, 1);
  assert.equal(done[0].frames, 3);
  assert.deepEqual(scheduler.presented, ['lesson-done']);
});

test('without a waitWhile a lesson runs at once, and a failed one reports its error and stops', () => {
  const scheduler = fakeScheduler();
  const errors = [];
  const session = { lesson: () => { throw new Error('diverged'); } };
  const loop = createLessonLoop(session, scheduler, { onError: (error) => errors.push(error.message) });
  loop.start();
  assert.equal(scheduler.task.wants(), true);
  scheduler.task.run(5);
  assert.equal(loop.running, false);
  assert.deepEqual(errors, ['diverged']);
  assert.equal(scheduler.task.wants(), false);
});
