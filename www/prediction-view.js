// Shows what the network thinks of the drawing: the digit, ten probability bars, the 28×28 input.

export function createPredictionView({ output, confidence, bars, preview }) {
  const items = [];
  for (let digit = 0; digit < 10; digit++) {
    const li = document.createElement('li');
    li.innerHTML = `<span class="digit">${digit}</span><span class="bar"><span class="fill"></span></span><span class="value"></span>`;
    bars.append(li);
    items.push({ li, fill: li.querySelector('.fill'), value: li.querySelector('.value') });
  }
  const previewContext = preview.getContext('2d');
  const image = previewContext.createImageData(28, 28);

  function drawPreview(pixels) {
    for (let i = 0; i < 28 * 28; i++) {
      const ink = pixels ? pixels[i] : 0;
      const shade = 255 - Math.round(ink * 255); // dark ink on white, like the pad
      image.data.set([shade, shade, shade, 255], i * 4);
    }
    previewContext.putImageData(image, 0, 0);
  }

  function show(result) {
    if (!result || result.empty) {
      output.textContent = '';
      output.classList.remove('unsure');
      confidence.classList.remove('unsure');
      confidence.textContent = result?.empty ? 'Draw a digit on the pad.' : '';
      for (const item of items) {
        item.fill.style.width = '0%';
        item.value.textContent = '';
        item.li.classList.remove('top');
      }
      drawPreview(null);
      return;
    }
    output.textContent = String(result.digit);
    const top = result.probabilities[result.digit];
    // Rust decides whether the answer is sure enough (`confident`); the digit is shown either way, so
    // the Prediction element always holds the top digit.
    const unsure = result.confident === false;
    output.classList.toggle('unsure', unsure);
    confidence.classList.toggle('unsure', unsure);
    if (unsure) {
      const runnerUp = result.probabilities
        .map((p, digit) => [p, digit]).filter(([, digit]) => digit !== result.digit)
        .reduce((best, next) => (next[0] > best[0] ? next : best));
      confidence.textContent = `Not sure: ${(top * 100).toFixed(0)} % ${result.digit}, ` +
        `${(runnerUp[0] * 100).toFixed(0)} % ${runnerUp[1]}`;
    } else {
      confidence.textContent = `${(top * 100).toFixed(0)} % sure`;
    }
    result.probabilities.forEach((p, digit) => {
      const item = items[digit];
      item.fill.style.width = `${(p * 100).toFixed(1)}%`;
      item.value.textContent = `${(p * 100).toFixed(0)}%`;
      item.li.classList.toggle('top', digit === result.digit);
      item.li.setAttribute('aria-label', `${digit}: ${(p * 100).toFixed(0)} percent`);
    });
    drawPreview(result.preview);
  }

  show({ empty: true });
  return { show };
}
