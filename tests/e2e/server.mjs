// A static server for www/ on a free port of 127.0.0.1, one per test file:
//   const server = await startServer();  …  await server.stop();
// It runs node_modules' http-server as a child process; stop() ends that process (by its own PID,
// nothing else) and waits until it has exited.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
// The package's own script, run by this Node: then the child's PID is the server itself, not a shell.
const HTTP_SERVER = fileURLToPath(new URL('../../node_modules/http-server/bin/http-server', import.meta.url));

/** A port nobody listens on right now (the kernel picks it; we release it for http-server). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Waits until `url` answers 200, or the child exits, or `timeoutMs` passes. */
async function waitUntilServing(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the static server at ${url} did not answer within ${timeoutMs / 1000} s`);
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await done;
  clearTimeout(timer);
}

/**
 * Starts http-server (or with `python`, Python's http.server) for www/ (or `root`) and resolves to
 * { url, port, stop() } once it answers. url ends with a slash: `${url}data/manifest.json`.
 */
export async function startServer({ timeoutMs = 30_000, root = WWW, python = false } = {}) {
  let lastOutput = '';
  // Another process could take the port between our probe and http-server's listen: try again then.
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = await freePort();
    // `python3 -m http.server` is the server a person is told to use in the repository (no caching
    // headers, its own MIME types); http-server the one the scripts use.
    const [program, args] = python
      ? ['python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', root]]
      : [process.execPath, [HTTP_SERVER, root, '-a', '127.0.0.1', '-p', String(port), '-c-1', '--silent']];
    const child = spawn(program, args, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk) => {
      lastOutput = (lastOutput + chunk).slice(-2000);
    });
    const url = `http://127.0.0.1:${port}/`;
    let serving;
    try {
      serving = await waitUntilServing(url, child, timeoutMs);
    } catch (error) {
      await stopChild(child);
      throw error;
    }
    // A server that answered but whose process has died was somebody else's on the same port.
    if (serving) await sleep(200);
    if (serving && child.exitCode === null && child.signalCode === null) {
      let stopping = null;
      return {
        url,
        port,
        pid: child.pid,
        stop() {
          stopping ??= stopChild(child);
          return stopping;
        },
      };
    }
    await exited(child);
  }
  throw new Error(`the static server would not start: ${lastOutput.trim() || 'no output'}`);
}
