// The implementations the benchmark compares, behind one interface:
//   await trainer.run(steps)  -> loss of the last step (measured before its update)
//   trainer.params()          -> [{weights, biases}] per layer with parameters, in our layout
// All of them train one network — the MLP 784-128-10 here, or the ConvNet of convnet.js — ReLU,
// softmax cross-entropy, plain SGD, on mini-batches of MNIST gathered step by step from the same
// bytes (pixels / 255), in a shuffled order unless the batch is the whole training set.
import { PIXELS, CLASSES } from './mnist.js';
import { readModelFile } from './model-file.js';
import { seededRandom } from './seeded-random.js';

export const HIDDEN = 128;

/** Our trainer (src/trainer.rs through src/wasm.rs), in one of the two wasm builds. */
export class InklingTrainer {
  /** `layers`: the network in our notation (src/architecture.rs), the MLP's by default. */
  constructor(module, files, { batch, learningRate, seed, layers = String(HIDDEN) }) {
    const settings = {
      layers,
      optimizer: { kind: 'sgd', learningRate },
      batchSize: batch,
      schedule: { kind: 'constant' },
      labelSmoothing: 0,
      epochs: 1000,
    };
    this.batch = batch;
    this.session = new module.Session(files.trainImages, files.trainLabels, files.testImages, files.testLabels, settings, seed);
  }

  async run(steps) {
    const report = this.session.train(steps, 1e12);
    if (report.steps !== steps) throw new Error(`Inkling did ${report.steps} steps, not ${steps}`);
    return report.loss;
  }

  params() {
    if (this.session.info().convolutional) return readModelFile(this.modelFile()).layers;
    return [0, 1].map((i) => ({ weights: this.session.layerWeights(i), biases: this.session.layerBiases(i) }));
  }

  setParams(params) {
    params.forEach((p, i) => this.session.setLayerParameters(i, p.weights, p.biases));
  }

  /** The network as a model file (a ConvNet's weights reach JavaScript this way). */
  modelFile() {
    return this.session.exportModel('');
  }

  /** Starts from a model file's network (the same architecture). */
  setModelFile(bytes) {
    this.session.importModel(bytes);
  }

  dispose() {
    this.session.free();
  }
}

// p / 255 in float32, as `p as f32 / 255.0` computes it in Rust.
const SCALE = Float32Array.from({ length: 256 }, (_, p) => p / 255);

/**
 * The same network in TensorFlow.js, on whichever backend is active when it is made and when it runs
 * (the caller switches with tf.setBackend). Written with TF.js' own fastest training path for this:
 * variables, tf.fused.matMul (TF.js fuses where it can), tf.losses.softmaxCrossEntropy (mean over
 * the batch) and tf.train.sgd's optimizer.minimize — not tf.LayersModel.fit, whose callbacks and
 * per-batch bookkeeping would only slow it down.
 */
export class TfjsTrainer {
  constructor(tf, data, { batch, learningRate, seed, initial, count = data.count }) {
    this.tf = tf;
    this.batch = batch;
    this.pixels = data.pixels;
    this.labels = data.labels;
    this.count = count;
    this.order = Uint32Array.from({ length: count }, (_, i) => i);
    this.shuffle = batch < count;
    this.random = seededRandom(seed); // TF.js' example order
    if (this.shuffle) this.reshuffle();
    this.position = 0;
    this.x = new Float32Array(batch * PIXELS);
    this.y = new Float32Array(batch * CLASSES);
    this.variables = this.makeVariables(initial);
    this.optimizer = tf.train.sgd(learningRate);
  }

  /** The network's variables from our layers' parameters ([{weights, biases}]), in the order of params(). */
  makeVariables([l1, l2]) {
    const tf = this.tf;
    this.w1 = tf.variable(tf.tensor2d(l1.weights, [PIXELS, HIDDEN]));
    this.b1 = tf.variable(tf.tensor1d(l1.biases));
    this.w2 = tf.variable(tf.tensor2d(l2.weights, [HIDDEN, CLASSES]));
    this.b2 = tf.variable(tf.tensor1d(l2.biases));
    return [this.w1, this.b1, this.w2, this.b2];
  }

  /** The forward pass of a batch (batch × 784) to its logits. */
  logits(xs) {
    const tf = this.tf;
    const hidden = tf.fused.matMul({ a: xs, b: this.w1, bias: this.b1, activation: 'relu' });
    return tf.fused.matMul({ a: hidden, b: this.w2, bias: this.b2 });
  }

  reshuffle() {
    const order = this.order;
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = order[i]; order[i] = order[j]; order[j] = t;
    }
  }

  fillBatch() {
    const { x, y, pixels, labels, order, batch } = this;
    y.fill(0);
    for (let j = 0; j < batch; j++) {
      const index = order[this.position];
      const source = index * PIXELS;
      const target = j * PIXELS;
      for (let i = 0; i < PIXELS; i++) x[target + i] = SCALE[pixels[source + i]];
      y[j * CLASSES + labels[index]] = 1;
      if (++this.position === this.count) {
        this.position = 0;
        if (this.shuffle) this.reshuffle();
      }
    }
  }

  /** One SGD step; returns the loss tensor (before the update) when `cost` is set. */
  step(cost) {
    const tf = this.tf;
    this.fillBatch();
    return tf.tidy(() => {
      const xs = tf.tensor2d(this.x, [this.batch, PIXELS]);
      const ys = tf.tensor2d(this.y, [this.batch, CLASSES]);
      return this.optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, this.logits(xs)), cost, this.variables);
    });
  }

  async run(steps) {
    for (let i = 1; i < steps; i++) this.step(false);
    const loss = this.step(true);
    const value = (await loss.data())[0]; // waits for every queued step (webgl runs asynchronously)
    loss.dispose();
    return value;
  }

  params() {
    return [[this.w1, this.b1], [this.w2, this.b2]].map(([w, b]) => ({ weights: w.dataSync(), biases: b.dataSync() }));
  }

  dispose() {
    this.variables.forEach((v) => v.dispose());
    this.optimizer.dispose();
  }
}
