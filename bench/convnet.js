// The ConvNet the benchmark compares, c8k5-p2-c16k5-p2-128 (src/architecture.rs), in TensorFlow.js,
// and the translation of its weights between our layout and TF.js'.
//
// Our weights come out of a model file (version 2, src/model_file.rs), so no binding of its own is
// needed: a convolution's weights are K × C_out column-major, K = C_in·k·k with the taps ordered
// (c, ky, kx), and the dense layer after the maps reads them channel-major, (c, y, x). TF.js holds a
// convolution's kernel as [k, k, C_in, C_out] and flattens its NHWC maps as (y, x, c).
import { CLASSES } from './mnist.js';
import { TfjsTrainer } from './trainers.js';
import { readModelFile } from './model-file.js';

export const CONVNET = 'c8k5-p2-c16k5-p2-128';
const SIDE = 28;
const KERNEL = 5;
/** The convolutions' channels, input first, and the dense layers' sizes. */
const CHANNELS = [1, 8, 16];
const LAST_SIDE = 4; // 28 → 24 → 12 → 8 → 4
const DENSE = [CHANNELS[2] * LAST_SIDE * LAST_SIDE, 128, CLASSES];

/** Our ConvNet's layers ({weights, biases} each) from its model file, checked to be this network. */
export function convLayers(bytes) {
  const { architecture, input, classes, layers } = readModelFile(bytes);
  if (architecture !== CONVNET || input.join('×') !== `1×${SIDE}×${SIDE}` || classes !== CLASSES) {
    throw new Error(`expected ${CONVNET} on 1×${SIDE}×${SIDE} → ${CLASSES}, the file holds ${architecture} on ${input.join('×')} → ${classes}`);
  }
  return layers;
}

// ---------------------------------------------------------------- layouts
// Index maps between the two layouts, each a list "TF.js position → our position".

/** A convolution's kernel: TF.js [ky][kx][c][o] ← ours [o][(c, ky, kx)]. */
function convOrder(inputs, outputs) {
  const taps = inputs * KERNEL * KERNEL;
  const order = new Uint32Array(taps * outputs);
  let i = 0;
  for (let ky = 0; ky < KERNEL; ky++) {
    for (let kx = 0; kx < KERNEL; kx++) {
      for (let c = 0; c < inputs; c++) {
        for (let o = 0; o < outputs; o++) order[i++] = o * taps + (c * KERNEL + ky) * KERNEL + kx;
      }
    }
  }
  return order;
}

/** The dense layer after the maps, inputs × outputs in both: TF.js row (y, x, c) ← our row (c, y, x). */
function flattenOrder(channels, side, outputs) {
  const order = new Uint32Array(channels * side * side * outputs);
  let i = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      for (let c = 0; c < channels; c++) {
        const row = (c * side + y) * side + x;
        for (let o = 0; o < outputs; o++) order[i++] = row * outputs + o;
      }
    }
  }
  return order;
}

/** Per layer: where each TF.js weight comes from in ours (null: the same layout). */
const ORDERS = [convOrder(CHANNELS[0], CHANNELS[1]), convOrder(CHANNELS[1], CHANNELS[2]), flattenOrder(CHANNELS[2], LAST_SIDE, DENSE[1]), null];

const permuted = (values, order, toTfjs) => {
  if (!order) return Float32Array.from(values);
  const out = new Float32Array(values.length);
  for (let i = 0; i < order.length; i++) {
    if (toTfjs) out[i] = values[order[i]];
    else out[order[i]] = values[i];
  }
  return out;
};

// ---------------------------------------------------------------- the network in TF.js
const SHAPES = [
  [KERNEL, KERNEL, CHANNELS[0], CHANNELS[1]],
  [KERNEL, KERNEL, CHANNELS[1], CHANNELS[2]],
  [DENSE[0], DENSE[1]],
  [DENSE[1], DENSE[2]],
];

/**
 * A convolution with its bias and ReLU. Where the backend has TF.js' kernel for a convolution's
 * filter gradient (Conv2DBackpropFilter: cpu and webgl) this is tf.fused.conv2d and TF.js' own
 * gradient; the wasm backend of TF.js 4.22 has no such kernel (training a ConvNet on it fails with
 * "Kernel 'Conv2DBackpropFilter' not registered"), so there the same gradient is written with kernels
 * it does have: the input gradient is conv2dTranspose (Conv2DBackpropInput), and the filter gradient is
 * itself a valid convolution — of the input with the batch as channels, by the output gradient as the
 * filter: dW[ky,kx,c,o] = Σ_{n,y,x} X[n, y+ky, x+kx, c] · dZ[n,y,x,o].
 */
export const hasFilterGradient = (tf) => Boolean(tf.getKernel('Conv2DBackpropFilter', tf.getBackend()));

function convolution(tf) {
  if (hasFilterGradient(tf)) {
    return (x, filter, bias) => tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'valid', activation: 'relu' });
  }
  return tf.customGrad((x, filter, bias, save) => {
    const y = tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'valid', activation: 'relu' });
    save([x, filter, y]);
    return {
      value: y,
      gradFunc: (dy, [input, kernel, output]) => {
        const dz = tf.mul(dy, tf.step(output)); // the ReLU's gradient, as TF.js' fused kernels take it
        const dx = tf.conv2dTranspose(dz, kernel, input.shape, 1, 'valid');
        const byChannel = tf.conv2d(tf.transpose(input, [3, 1, 2, 0]), tf.transpose(dz, [1, 2, 0, 3]), 1, 'valid');
        return [dx, tf.transpose(byChannel, [1, 2, 0, 3]), tf.sum(dz, [0, 1, 2])];
      },
    };
  });
}

/**
 * c8k5-p2-c16k5-p2-128 in TensorFlow.js on the active backend: fused convolutions with bias and ReLU,
 * tf.maxPool, tf.fused.matMul, softmax cross-entropy, tf.train.sgd — the batching is TfjsTrainer's.
 * `initial`: our layers ({weights, biases}, as readModelFile gives them).
 */
export class TfjsConvTrainer extends TfjsTrainer {
  makeVariables(initial) {
    const tf = this.tf;
    this.conv = convolution(tf);
    this.layers = initial.map((layer, l) => [
      tf.variable(tf.tensor(permuted(layer.weights, ORDERS[l], true), SHAPES[l])),
      tf.variable(tf.tensor1d(layer.biases)),
    ]);
    return this.layers.flat();
  }

  logits(xs) {
    const tf = this.tf;
    const [[k1, b1], [k2, b2], [w3, b3], [w4, b4]] = this.layers;
    const images = tf.reshape(xs, [this.batch, SIDE, SIDE, 1]);
    const first = tf.maxPool(this.conv(images, k1, b1), 2, 2, 'valid');
    const second = tf.maxPool(this.conv(first, k2, b2), 2, 2, 'valid');
    const flat = tf.reshape(second, [this.batch, DENSE[0]]);
    const hidden = tf.fused.matMul({ a: flat, b: w3, bias: b3, activation: 'relu' });
    return tf.fused.matMul({ a: hidden, b: w4, bias: b4 });
  }

  /** The parameters in our layout, to compare with ours. */
  params() {
    return this.layers.map(([w, b], l) => ({ weights: permuted(w.dataSync(), ORDERS[l], false), biases: b.dataSync() }));
  }
}
