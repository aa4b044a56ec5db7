//! A fingerprint of the JavaScript interface, so the page can tell a WebAssembly package built from
//! other bindings (an old `pkg/` left from an earlier build) from the one it was written for, and
//! say "rebuild it" instead of failing somewhere deep inside with `x is not a function`.
//!
//! The fingerprint is the FNV-1a hash of the binding sources (`src/wasm.rs` and `src/wasm/*.rs`, with
//! carriage returns dropped so a Windows checkout hashes the same), computed at compile time. The
//! page keeps the value it expects in `www/wasm-package.js`; `tests/interface.rs` fails when the two
//! differ or when a binding file is missing from [`BINDING_SOURCES`], so a change to the bindings
//! cannot ship without the page agreeing to it. Changes to the numeric core leave the fingerprint
//! alone: they do not change what JavaScript can call.

/// The binding sources, by path relative to `src/`, with their contents.
pub const BINDING_SOURCES: [(&str, &[u8]); 7] = [
    ("wasm.rs", include_bytes!("wasm.rs")),
    ("wasm/comparison.rs", include_bytes!("wasm/comparison.rs")),
    ("wasm/explain.rs", include_bytes!("wasm/explain.rs")),
    ("wasm/inspect.rs", include_bytes!("wasm/inspect.rs")),
    ("wasm/keep.rs", include_bytes!("wasm/keep.rs")),
    ("wasm/slice.rs", include_bytes!("wasm/slice.rs")),
    ("wasm/teach.rs", include_bytes!("wasm/teach.rs")),
];

/// FNV-1a (32 bits) over `bytes`, continuing from `hash`, skipping `\r`.
pub const fn fnv1a(mut hash: u32, bytes: &[u8]) -> u32 {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\r' {
            hash ^= bytes[i] as u32;
            hash = hash.wrapping_mul(0x0100_0193);
        }
        i += 1;
    }
    hash
}

const fn fingerprint() -> u32 {
    let mut hash = 0x811c_9dc5;
    let mut i = 0;
    while i < BINDING_SOURCES.len() {
        hash = fnv1a(hash, BINDING_SOURCES[i].0.as_bytes());
        hash = fnv1a(hash, BINDING_SOURCES[i].1);
        i += 1;
    }
    hash
}

/// The fingerprint of this build's JavaScript interface.
pub const FINGERPRINT: u32 = fingerprint();

/// [`FINGERPRINT`] as the page writes it: eight lower-case hexadecimal digits.
pub fn fingerprint_hex() -> String {
    format!("{FINGERPRINT:08x}")
}
