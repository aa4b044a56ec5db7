// Downloading MNIST: fetch with progress, keep it in the Cache API, decompress, check its SHA-256.
// No DOM here: progress goes to a callback. Parsing and validating the IDX format is Rust's job.

const CACHE_NAME = 'inkling-mnist-v1';
export const FILE_NAMES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

async function openCache() {
  try {
    return 'caches' in globalThis ? await caches.open(CACHE_NAME) : null;
  } catch {
    return null; // private browsing or an insecure origin: work without a cache
  }
}

// Reads a response body in chunks, reporting the bytes received so far.
async function readWithProgress(response, onBytes) {
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onBytes(received);
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function gunzip(bytes) {
  // A server may already have undone the gzip (Content-Encoding); then the bytes are the IDX file.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function sha256Hex(bytes) {
  if (!globalThis.crypto?.subtle) return null; // only on insecure origins; Rust still validates the format
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Loads the four MNIST files from `baseUrl` (with its manifest.json).
 * onProgress({ loaded, total, fromCache }) is called as bytes arrive.
 * Resolves to { trainImages, trainLabels, testImages, testLabels } as Uint8Arrays.
 */
export async function loadMnist(baseUrl, onProgress) {
  const manifestResponse = await fetch(new URL('manifest.json', baseUrl), { cache: 'no-cache' });
  if (!manifestResponse.ok) {
    throw new Error(`The MNIST data is missing on the server (${manifestResponse.status} for manifest.json). ` +
      'Build it with scripts/build.sh.');
  }
  const manifest = await manifestResponse.json();
  const cache = await openCache();
  const total = FILE_NAMES.reduce((sum, name) => sum + manifest.files[name].gzipBytes, 0);
  const loadedPerFile = new Map();
  let fromCache = true;
  const report = () => {
    const loaded = [...loadedPerFile.values()].reduce((a, b) => a + b, 0);
    onProgress?.({ loaded, total, fromCache });
  };

  const loadOne = async (name) => {
    const entry = manifest.files[name];
    const url = new URL(`${name}.gz`, baseUrl);
    let response = cache ? await cache.match(url) : undefined;
    const cached = Boolean(response);
    if (!response) {
      fromCache = false;
      response = await fetch(url);
      if (!response.ok) throw new Error(`Downloading ${name}.gz failed: ${response.status} ${response.statusText}`);
    }
    const compressed = await readWithProgress(response, (n) => {
      loadedPerFile.set(name, n);
      report();
    });
    const bytes = await gunzip(compressed).catch(() => null);
    const digest = bytes && await sha256Hex(bytes);
    if (!bytes || bytes.length !== entry.bytes || (digest && digest !== entry.sha256)) {
      if (cache) await cache.delete(url);
      const why = bytes ? 'its size or checksum is wrong' : 'it does not decompress';
      throw new Error(`${name} is damaged (${why}). Reload the page to download it again.`);
    }
    if (cache && !cached) {
      await cache.put(url, new Response(compressed, { headers: { 'Content-Type': 'application/gzip' } }))
        .catch(() => {}); // a full disk only costs the next visit a download
    }
    return bytes;
  };

  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(FILE_NAMES.map(loadOne));
  return { trainImages, trainLabels, testImages, testLabels };
}
