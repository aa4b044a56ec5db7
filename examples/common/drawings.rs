//! The handwriting benchmark's drawings as the page prepared them: `node bench/teach-previews.mjs`
//! writes, for each drawing of bench/handwriting/set.mjs at each place it is drawn, the 28×28 image
//! the page made of it and what the page read, to `artifacts/teach-previews.json`.

use serde::Deserialize;
use std::path::Path;

/// One drawing at one place.
#[derive(Debug, Clone, Deserialize)]
pub struct Drawing {
    /// Which drawing of the set (the same for all its places).
    pub index: usize,
    /// Which place of the drawing this is (0: the one the handwriting benchmark also uses first).
    pub k: usize,
    pub digit: u8,
    pub style: String,
    pub name: String,
    /// What the page read.
    pub read: usize,
    /// The prepared image, 784 bytes row by row.
    pub pixels: Vec<u8>,
}

/// The drawings in `path`, with a message that says how to make the file when it is missing.
pub fn load(path: &Path) -> Result<Vec<Drawing>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e} (run node bench/teach-previews.mjs)", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}
