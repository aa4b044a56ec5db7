// Teach it your handwriting: ten buttons, "It's 0" … "It's 9", beside the answer turn the drawing
// into a lesson (Page.teach: Rust learns it between frames); Your digits shows what the network in
// use was taught, each with a button to take it off, and Clear; the messages say what a lesson did —
// the new answer, the time it took, the test accuracy before and after. Rust does the learning and
// keeps the digits; this module only asks and shows.
import { formatAccuracy, formatSeconds, plural } from './format.js';
import { paintDigit } from './pictures.js';


export function setupTeach(page) {
  const $ = (id) => document.getElementById(id);
  const ui = {
    buttons: $('teach-buttons'),
    message: $('teach-message'),
    accuracy: $('teach-accuracy'),
    list: $('your-digits'),
    empty: $('your-digits-empty'),
    clear: $('clear-digits'),
  };
  let drawing = null;       // the drawing's last reading (null: nothing drawn)
  let accuracy = null;      // the test accuracy of the network in use, when known
  let count = 0;            // Your digits shown
  // The lesson being told: { label, before, ms, frames, reread, evaluated }.
  let lesson = null;

  const buttons = [];
  for (let digit = 0; digit < 10; digit++) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = String(digit);
    button.setAttribute('aria-label', `It's ${digit}`);
    button.title = `Teach it that this drawing is a ${digit}`;
    button.addEventListener('click', () => teach(digit));
    ui.buttons.append(button);
    buttons.push(button);
  }

  const say = (text, problem = false) => {
    ui.message.textContent = text;
    ui.message.classList.toggle('invalid', problem);
  };

  function refresh() {
    const usable = page.state !== 'loading' && page.state !== 'error';
    for (const button of buttons) button.disabled = !usable || !drawing || page.teaching;
  }

  function teach(label) {
    try {
      page.teach(label);
    } catch (error) {
      say(`Could not learn it: ${error.message}.`, true);
    }
  }

  function render() {
    const digits = page.yourDigits();
    count = digits.length;
    ui.list.replaceChildren(...digits.map(({ label, pixels }, index) => {
      const li = document.createElement('li');
      const canvas = document.createElement('canvas');
      paintDigit(canvas, pixels, { full: 255 });
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Your ${label}`);
      const caption = document.createElement('span');
      caption.className = 'your-digit-label';
      caption.textContent = String(label);
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'remove-digit';
      remove.textContent = '×';
      remove.setAttribute('aria-label', `Remove your ${label} (number ${index + 1})`);
      remove.addEventListener('click', () => page.forgetDigit(index));
      li.append(canvas, caption, remove);
      return li;
    }));
    ui.empty.hidden = count > 0;
    ui.clear.hidden = count === 0;
  }

  // A lesson's outcome, as far as it is known: the new reading, then the test accuracy.
  function tell() {
    const { label, ms, frames, reread } = lesson;
    const read = reread ? ` It now reads ${reread.digit}${reread.digit === label ? '' : ` (not yet ${label}: teach it another drawing)`}.` : '';
    say(`Learnt that it's a ${label} in ${formatSeconds(ms / 1000, 2)} of work over ${frames} frames.${read}`);
    ui.accuracy.textContent = `Test accuracy before ${formatAccuracy(lesson.before)}, after ${lesson.evaluated ? formatAccuracy(accuracy) : '…'}`;
  }

  ui.clear.addEventListener('click', () => page.forgetDigits());

  page.on('state', refresh);
  page.on('drawing', (result) => {
    drawing = result;
    if (lesson?.ms != null && !lesson.reread && result) {
      lesson.reread = result;
      tell();
    }
    refresh();
  });
  page.on('evaluation', (evaluation) => {
    accuracy = evaluation.accuracy;
    // The weights from before the lesson, evaluated while it waited (just loaded, or paused mid-run):
    // the lesson's steps wait for this evaluation, so nothing else can arrive before they are done.
    if (lesson && lesson.ms == null) lesson.before = accuracy;
    if (lesson?.ms != null && !lesson.evaluated) {
      lesson.evaluated = true;
      tell();
      lesson = null;
    }
  });
  page.on('lesson', ({ phase, label, ms, frames, error }) => {
    if (phase === 'start') {
      lesson = { label, before: accuracy };
      say(`Learning that it's a ${label}…`);
      ui.accuracy.textContent = '';
    } else if (phase === 'done') {
      Object.assign(lesson, { ms, frames });
      tell();
    } else {
      lesson = null;
      say(`Could not learn it: ${error.message}.`, true);
    }
    refresh();
  });
  page.on('digits', render);
  page.on('reset', () => {
    const had = count;
    accuracy = null;
    lesson = null;
    render();
    ui.accuracy.textContent = '';
    if (had > 0 && count === 0) {
      say(`Your ${plural(had, 'digit')} ${had === 1 ? 'is' : 'are'} gone from the list: this network has not learnt ${had === 1 ? 'it' : 'them'} (a downloaded model file keeps them).`);
    } else if (count > 0) {
      say(`This model brings ${plural(count, 'digit')} of yours.`);
    } else {
      say('');
    }
  });

  render();
  refresh();
}
