// The benchmark page's API (window.bench), driven step by step by bench/run.mjs so that no single
// call runs for long: init, sameWork, prepare, warmup, run, describe, dispose. Every call that makes
// a trainer names the network: 'mlp' (784-128-10) or 'convnet' (convnet.js).
import { loadMnist, idxSubset } from './mnist.js';
import { InklingTrainer, TfjsTrainer } from './trainers.js';
import { CONVNET, TfjsConvTrainer, convLayers, hasFilterGradient } from './convnet.js';
import initSimd, * as simd from '../www/pkg/inkling.js';
import initNoSimd, * as noSimd from './pkg-nosimd/inkling.js';

const tf = globalThis.tf;
const TFJS_WASM_DIST = new URL('./node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).href;

export const IMPLEMENTATIONS = {
  'inkling-simd': { label: 'Inkling, wasm simd128', module: 'simd' },
  'inkling-nosimd': { label: 'Inkling, wasm without simd128', module: 'nosimd' },
  'tfjs-wasm': { label: 'TF.js wasm', backend: 'wasm' },
  'tfjs-webgl': { label: 'TF.js webgl', backend: 'webgl' },
  'tfjs-cpu': { label: 'TF.js cpu', backend: 'cpu' },
};

const state = { data: null, modules: {}, backends: {}, initial: {}, trainers: new Map() };
const log = (message) => {
  document.getElementById('log').textContent += `${message}\n`;
};

function webglRenderer() {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  } catch {
    return null;
  }
}

async function useBackend(name) {
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) throw new Error(`TF.js backend ${name} is not available`);
}

async function probeBackend(name) {
  try {
    if (!(await tf.setBackend(name)) || tf.getBackend() !== name) return { available: false, why: 'setBackend failed' };
    const sum = (await tf.tensor1d([1, 2, 3]).square().sum().data())[0];
    if (sum !== 14) return { available: false, why: `wrong result ${sum}` };
    const info = { available: true };
    if (name === 'wasm') {
      info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      info.threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    }
    if (name === 'webgl') {
      info.version = tf.env().getNumber('WEBGL_VERSION');
      info.float32 = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
      info.renderer = webglRenderer();
    }
    return info;
  } catch (error) {
    return { available: false, why: String(error?.message ?? error) };
  }
}

function files(count) {
  const d = state.data;
  if (!count) return d;
  const subset = idxSubset(d, count);
  return { trainImages: subset.images, trainLabels: subset.labels, testImages: d.testImages, testLabels: d.testLabels };
}

function makeTrainer(id, network, { batch, learningRate, seed, count }) {
  const impl = IMPLEMENTATIONS[id];
  const initial = state.initial[network];
  if (impl.module) {
    const layers = network === 'convnet' ? CONVNET : undefined;
    const trainer = new InklingTrainer(state.modules[impl.module], files(count), { batch, learningRate, seed, layers });
    // The same start for every implementation.
    if (count && network === 'convnet') trainer.setModelFile(initial.file);
    else if (count) trainer.setParams(initial.layers);
    return trainer;
  }
  const Trainer = network === 'convnet' ? TfjsConvTrainer : TfjsTrainer;
  return new Trainer(tf, state.data, { batch, learningRate, seed, initial: initial.layers, count });
}

const now = () => performance.now();

window.bench = {
  IMPLEMENTATIONS,

  async init({ seed }) {
    const t0 = now();
    state.data = await loadMnist(new URL('../www/data/', import.meta.url));
    log(`MNIST loaded in ${(now() - t0).toFixed(0)} ms`);
    await initSimd();
    await initNoSimd();
    state.modules = { simd, nosimd: noSimd };
    tf.wasm.setWasmPaths(TFJS_WASM_DIST);
    for (const name of ['cpu', 'wasm', 'webgl']) state.backends[name] = await probeBackend(name);
    // Initial weights of each network, drawn once by our trainer (He init) and given to every implementation.
    for (const [network, layers] of [['mlp', undefined], ['convnet', CONVNET]]) {
      const first = new InklingTrainer(simd, files(256), { batch: 256, learningRate: 0.05, seed, layers });
      state.initial[network] = { layers: first.params(), file: network === 'convnet' ? first.modelFile() : null };
      first.dispose();
    }
    const available = Object.keys(IMPLEMENTATIONS).filter((id) => {
      const backend = IMPLEMENTATIONS[id].backend;
      return !backend || state.backends[backend].available;
    });
    return {
      userAgent: navigator.userAgent,
      tfjs: tf.version.tfjs,
      crossOriginIsolated: globalThis.crossOriginIsolated ?? false,
      backends: state.backends,
      available,
      trainExamples: state.data.count,
    };
  },

  /**
   * Every available implementation trains the first `examples` training images full-batch (so
   * nothing is shuffled) from the same weights with the same rate, one step at a time; returns
   * each step's loss (measured before the step's update) and the final parameters' largest
   * difference from the reference (our simd build).
   */
  async sameWork({ network, ids, steps, examples, learningRate, seed }) {
    const losses = {};
    const finals = {};
    for (const id of ids) {
      const backend = IMPLEMENTATIONS[id].backend;
      if (backend) await useBackend(backend);
      const trainer = makeTrainer(id, network, { batch: examples, learningRate, seed, count: examples });
      const series = [];
      for (let s = 0; s < steps; s++) series.push(await trainer.run(1));
      losses[id] = series;
      finals[id] = trainer.params();
      trainer.dispose();
      log(`same work, ${network}: ${id} done`);
    }
    const reference = finals[ids[0]];
    const paramDiff = {};
    for (const id of ids) {
      let diff = 0;
      let scale = 0;
      finals[id].forEach((layer, l) => {
        for (const key of ['weights', 'biases']) {
          const a = layer[key];
          const b = reference[l][key];
          for (let i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
          }
        }
      });
      paramDiff[id] = diff / scale;
    }
    return { losses, paramDiff };
  },

  async prepare(id, network, batch, { learningRate, seed }) {
    const key = `${network}:${id}@${batch}`;
    const backend = IMPLEMENTATIONS[id].backend;
    if (backend) await useBackend(backend);
    state.trainers.set(key, { id, batch, trainer: makeTrainer(id, network, { batch, learningRate, seed }) });
    return key;
  },

  /** Times `steps` steps (after `prime` untimed ones): {ms, loss}. */
  async run(key, steps, prime = 1) {
    const { id, trainer } = state.trainers.get(key);
    const backend = IMPLEMENTATIONS[id].backend;
    if (backend) await useBackend(backend);
    if (prime > 0) await trainer.run(prime);
    const t0 = now();
    const loss = await trainer.run(steps);
    const ms = now() - t0;
    if (!Number.isFinite(loss)) throw new Error(`${key}: the loss became ${loss}`);
    return { ms, loss };
  },

  /** Runs `key` for about `targetMs` (growing chunks, the first one compiles); returns ms per step. */
  async warmup(key, targetMs) {
    await this.run(key, 2, 0);
    const start = now();
    let steps = 1;
    let perStep = Infinity;
    while (true) {
      const { ms } = await this.run(key, steps, 0);
      perStep = ms / steps;
      if (now() - start >= targetMs) return perStep;
      if (ms < targetMs / 4) steps *= 2;
    }
  },

  /**
   * Where a TF.js trainer runs: the backend in use while it trains, the kernels one training step
   * ran (tf.profile) and, for a ConvNet, whether the backend has TF.js' kernel for a convolution's
   * filter gradient (see convnet.js). Null for ours.
   */
  async describe(key) {
    const { id, trainer } = state.trainers.get(key);
    const backend = IMPLEMENTATIONS[id].backend;
    if (!backend) return null;
    await useBackend(backend);
    const profile = await tf.profile(() => trainer.run(1));
    const name = tf.getBackend();
    // The profile also names the ops that wrap a custom gradient (fusedMatMul__op, …): kernels only.
    const kernels = [...new Set(profile.kernelNames)].filter((kernel) => tf.getKernel(kernel, name)).sort();
    return { backend: name, kernels, filterGradientKernel: hasFilterGradient(tf) };
  },

  dispose(key) {
    state.trainers.get(key)?.trainer.dispose();
    state.trainers.delete(key);
  },
};
window.benchReady = true;
