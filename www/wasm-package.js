// Finds and starts the WebAssembly package, whichever way it was built:
//   www/pkg/  `scripts/build.sh` (wasm-pack --target web): an ES module with an init() to call;
//   pkg/      plain `wasm-pack build` in the repository (wasm-pack's default "bundler" target, which
//             it cannot be told otherwise from Cargo.toml): its glue `inkling_bg.js` is an ES module
//             too, but the wasm file is left for a bundler to instantiate — done here instead.
// The second is only reachable when the repository's root is served (the page is then at /www/), so
// it is only looked for then. A package built from other bindings than this page was written for (an
// old pkg/ left behind) is refused with the command that rebuilds it.

// The fingerprint of the bindings this page calls (src/interface.rs); `cargo test` fails until it is
// updated after a change to src/wasm.rs or src/wasm/.
const INTERFACE_FINGERPRINT = 'b4b62edc';

/** An error whose message is meant for the page's alert as it is. */
export class PackageError extends Error {}

function layouts(pageUrl) {
  const web = {
    name: 'www/pkg/',
    rebuild: 'scripts/build.sh',
    wasm: new URL('pkg/inkling_bg.wasm', pageUrl),
    start: async (bytes) => {
      const glue = await import(new URL('pkg/inkling.js', pageUrl).href);
      await glue.default({ module_or_path: bytes });
      return glue;
    },
  };
  const bundler = {
    name: 'pkg/',
    rebuild: '<code>wasm-pack build</code> in the repository',
    wasm: new URL('../pkg/inkling_bg.wasm', pageUrl),
    start: async (bytes) => {
      const glue = await import(new URL('../pkg/inkling_bg.js', pageUrl).href);
      const { instance } = await WebAssembly.instantiate(bytes, { './inkling_bg.js': glue });
      glue.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start?.();
      return glue;
    },
  };
  const repositoryServed = new URL(pageUrl).pathname.replace(/[^/]*$/, '').endsWith('/www/');
  return repositoryServed ? [web, bundler] : [web];
}

/** Resolves to the response for `url` if the server has it, else null. */
async function present(url, method) {
  try {
    const response = await fetch(url, { method, cache: 'no-cache' });
    return response.ok ? response : null;
  } catch {
    return null;
  }
}

function modified(response) {
  const time = Date.parse(response.headers.get('Last-Modified') ?? '');
  return Number.isFinite(time) ? time : 0;
}

/**
 * Loads the package and resolves to its exports ({ Session, … }). Rejects with a PackageError whose
 * message names the command to run when no package is there or every one found is out of date.
 */
export async function loadWasmPackage(pageUrl = document.baseURI) {
  const candidates = layouts(pageUrl);
  // Where both layouts are there, the newer build is the one the person means.
  const found = [];
  for (const layout of candidates) {
    const head = await present(layout.wasm, candidates.length > 1 ? 'HEAD' : 'GET');
    if (head) found.push({ layout, head, time: modified(head) });
  }
  if (found.length === 0) {
    throw new PackageError(candidates.length > 1
      ? 'The WebAssembly package has not been built (there is neither <code>www/pkg/</code> nor <code>pkg/</code>). ' +
        'Run <code>wasm-pack build</code> in the repository (or <code>scripts/build.sh</code>), then reload.'
      : 'The WebAssembly package is missing from this site (<code>pkg/inkling_bg.wasm</code>). ' +
        'Build it with <code>scripts/build.sh</code>, then reload.');
  }
  found.sort((a, b) => b.time - a.time);

  const stale = [];
  for (const { layout, head } of found) {
    const response = candidates.length > 1 ? await present(layout.wasm, 'GET') : head;
    if (!response) continue;
    let glue;
    try {
      glue = await layout.start(await response.arrayBuffer());
    } catch (error) {
      stale.push({ layout, why: `it does not start here (${error.message})` });
      continue;
    }
    const fingerprint = typeof glue.interfaceFingerprint === 'function' ? glue.interfaceFingerprint() : 'none';
    if (fingerprint === INTERFACE_FINGERPRINT) return glue;
    stale.push({ layout, why: `it was built from other code than this page (interface ${fingerprint}, the page needs ${INTERFACE_FINGERPRINT})` });
  }
  const [first] = stale;
  throw new PackageError(`The WebAssembly package in <code>${first.layout.name}</code> is out of date: ${first.why}. ` +
    `Rebuild it with ${first.layout.rebuild.startsWith('<') ? first.layout.rebuild : `<code>${first.layout.rebuild}</code>`}, then reload.`);
}
