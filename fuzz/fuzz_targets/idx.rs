//! The IDX parser on arbitrary bytes: an error or a data set, never a panic. The first byte picks
//! how the rest is split into an image file and a label file.
#![no_main]
use inkling::dataset::Dataset;
use inkling::mnist::{parse_images, parse_labels};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else { return };
    let split = (split as usize * rest.len()) / 255;
    let (images, labels) = rest.split_at(split.min(rest.len()));
    let _ = parse_images(images);
    let _ = parse_labels(labels);
    if let Ok(set) = Dataset::from_idx(images, labels) {
        // Whatever parsed must be usable.
        assert_eq!(set.images.count, set.labels.len());
        let _ = set.image(set.len() - 1);
    }
});
