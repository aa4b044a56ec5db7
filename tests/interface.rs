//! The page and the bindings agree on the JavaScript interface (see `inkling::interface`).

use inkling::interface::{fingerprint_hex, fnv1a, BINDING_SOURCES, FINGERPRINT};
use std::fs;
use std::path::Path;

const PAGE_LOADER: &str = "www/wasm-package.js";

/// The fingerprint the page expects, from the line `const INTERFACE_FINGERPRINT = '…';`.
fn page_fingerprint() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(PAGE_LOADER);
    let source = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let line = source
        .lines()
        .find(|line| line.trim_start().starts_with("const INTERFACE_FINGERPRINT"))
        .unwrap_or_else(|| panic!("{PAGE_LOADER} has no `const INTERFACE_FINGERPRINT = '…';` line"));
    line.split('\'').nth(1).unwrap_or_else(|| panic!("cannot read the fingerprint in: {line}")).to_string()
}

#[test]
fn the_page_expects_the_bindings_it_gets() {
    assert_eq!(
        page_fingerprint(),
        fingerprint_hex(),
        "the wasm bindings changed: check that www/ still calls them correctly, then set \
         INTERFACE_FINGERPRINT in {PAGE_LOADER} to '{}'",
        fingerprint_hex()
    );
}

#[test]
fn every_binding_file_is_fingerprinted() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut on_disk: Vec<String> = vec!["wasm.rs".into()];
    for entry in fs::read_dir(src.join("wasm")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".rs") {
            on_disk.push(format!("wasm/{name}"));
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = BINDING_SOURCES.iter().map(|(name, _)| name.to_string()).collect();
    listed.sort();
    assert_eq!(listed, on_disk, "src/interface.rs must list every binding source");
    for (name, bytes) in BINDING_SOURCES {
        let now = fs::read(src.join(name)).unwrap();
        assert_eq!(bytes, now.as_slice(), "{name} changed since this test was compiled");
    }
}

#[test]
fn the_fingerprint_follows_every_byte_but_carriage_returns() {
    // FNV-1a's published test vector, then the properties the page's check relies on.
    assert_eq!(fnv1a(0x811c_9dc5, b"a"), 0xe40c_292c);
    assert_eq!(fnv1a(0x811c_9dc5, b"fn a()\r\n"), fnv1a(0x811c_9dc5, b"fn a()\n"));
    assert_ne!(fnv1a(0x811c_9dc5, b"fn a()"), fnv1a(0x811c_9dc5, b"fn b()"));
    assert_eq!(format!("{FINGERPRINT:08x}"), fingerprint_hex());
    assert_eq!(fingerprint_hex().len(), 8);
}
