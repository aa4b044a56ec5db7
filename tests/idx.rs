//! The IDX parser (MNIST's file format) on files built byte by byte: a good one, and each way a file
//! can be wrong — truncated, of the wrong kind (label file as image file, gzip-compressed), images and
//! labels that do not match, trailing bytes, labels above 9, images not 28×28. Every error must be of
//! the right variant and say what is wrong.
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web.rs

use inkling::dataset::Dataset;
use inkling::mnist::{parse_images, parse_images_vec, parse_labels, to_idx, IMAGE_PIXELS};
use inkling::Error;

/// Header of an image file, written out: magic 0x00000803 (unsigned bytes, 3 dimensions), then count,
/// rows and columns as big-endian u32.
fn image_header(count: u32, rows: u32, cols: u32) -> Vec<u8> {
    let mut h = vec![0x00, 0x00, 0x08, 0x03];
    for v in [count, rows, cols] {
        h.extend_from_slice(&[(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8, v as u8]);
    }
    h
}

/// Pixels of `count` 28×28 images; pixel `p` of image `i` is `(7·i + p) mod 256`, so every image differs.
fn pixels(count: usize) -> Vec<u8> {
    (0..count).flat_map(|i| (0..IMAGE_PIXELS).map(move |p| ((7 * i + p) % 256) as u8)).collect()
}

fn image_file(count: usize) -> Vec<u8> {
    let mut file = image_header(count as u32, 28, 28);
    file.extend(pixels(count));
    file
}

fn label_file(labels: &[u8]) -> Vec<u8> {
    let n = labels.len() as u32;
    let mut file = vec![0x00, 0x00, 0x08, 0x01, (n >> 24) as u8, (n >> 16) as u8, (n >> 8) as u8, n as u8];
    file.extend_from_slice(labels);
    file
}

/// Asserts an `Error::Idx` whose message mentions every one of `needles`.
fn assert_idx_error<T: std::fmt::Debug>(result: inkling::Result<T>, needles: &[&str]) {
    match result {
        Err(Error::Idx(message)) => {
            for needle in needles {
                assert!(message.contains(needle), "{message:?} does not mention {needle:?}");
            }
        }
        other => panic!("expected Error::Idx mentioning {needles:?}, got {other:?}"),
    }
}

#[test]
fn a_good_file_written_by_hand() {
    // Two images, the header spelled out byte by byte.
    let mut images = vec![
        0x00, 0x00, 0x08, 0x03, // magic: unsigned bytes, 3 dimensions
        0x00, 0x00, 0x00, 0x02, // 2 images
        0x00, 0x00, 0x00, 0x1c, // 28 rows
        0x00, 0x00, 0x00, 0x1c, // 28 columns
    ];
    images.extend(pixels(2));
    let labels = [0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x02, 7, 3];

    let parsed = parse_images(&images).unwrap();
    assert_eq!((parsed.count, parsed.rows, parsed.cols), (2, 28, 28));
    assert_eq!(parsed.pixels.len(), 2 * 784);
    assert_eq!(parsed.image(0)[0], 0);
    assert_eq!(parsed.image(0)[300], (300 % 256) as u8);
    assert_eq!(parsed.image(1)[0], 7);
    assert_eq!(parsed.image(1)[783], ((7 + 783) % 256) as u8);
    assert_eq!(parse_images_vec(images.clone()).unwrap(), parsed);
    assert_eq!(parse_labels(&labels).unwrap(), vec![7, 3]);

    let data = Dataset::from_idx(&images, &labels).unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data.image(1), parsed.image(1));
    assert_eq!(data.labels, vec![7, 3]);

    // The crate's writer produces exactly these bytes.
    let (written_images, written_labels) = to_idx(&pixels(2), &[7, 3]);
    assert_eq!(written_images, images);
    assert_eq!(written_labels, labels);

    // take() keeps the first examples.
    let first = data.take(1);
    assert_eq!((first.len(), first.labels.as_slice(), first.image(0)), (1, &[7u8][..], parsed.image(0)));
}

#[test]
fn a_large_count_in_a_valid_file() {
    // A count above 255 (258 = 0x0102) checks the big-endian decoding beyond the last byte.
    let labels: Vec<u8> = (0..258).map(|i| (i % 10) as u8).collect();
    let file = label_file(&labels);
    assert_eq!(&file[4..8], &[0, 0, 1, 2]);
    assert_eq!(parse_labels(&file).unwrap(), labels);
    let images = image_file(258);
    assert_eq!(parse_images(&images).unwrap().count, 258);
}

#[test]
fn truncated_files() {
    let images = image_file(3);
    // Cut inside the header: every length from 0 to 15 bytes.
    for len in 0..16 {
        assert_idx_error(parse_images(&images[..len]), &["image file", "header"]);
    }
    // Cut inside the data.
    for len in [16, 17, 16 + 784, images.len() - 1] {
        assert_idx_error(parse_images(&images[..len]), &["image file", "truncated", &format!("{}", 3 * 784)]);
        assert_idx_error(parse_images_vec(images[..len].to_vec()), &["truncated"]);
    }

    let labels = label_file(&[1, 2, 3]);
    for len in 0..8 {
        assert_idx_error(parse_labels(&labels[..len]), &["label file", "header"]);
    }
    for len in 8..labels.len() {
        assert_idx_error(parse_labels(&labels[..len]), &["label file", "truncated"]);
    }

    // A count of 4 billion with 10 bytes of data is a truncated file, not a 3 TB allocation.
    let mut huge = image_header(u32::MAX, 28, 28);
    huge.extend([0; 10]);
    assert_idx_error(parse_images(&huge), &["truncated"]);
    let huge_labels = [0x00, 0x00, 0x08, 0x01, 0xff, 0xff, 0xff, 0xff, 1, 2];
    assert_idx_error(parse_labels(&huge_labels), &["truncated"]);
}

#[test]
fn wrong_magic_numbers() {
    let images = image_file(2);
    let labels = label_file(&[1, 2]);

    // A label file given as the image file, and the other way round.
    assert_idx_error(parse_images(&labels), &["image file", "magic", "0x00000801", "label file"]);
    assert_idx_error(parse_labels(&images), &["label file", "magic", "0x00000803", "image file"]);
    assert_idx_error(Dataset::from_idx(&labels, &images), &["magic"]);

    // The files as downloaded from the MNIST site, still gzip-compressed (1f 8b 08, then flags).
    let gzip = [0x1f, 0x8b, 0x08, 0x08, 0x12, 0x34, 0x56, 0x78, 0x00, 0x03, 0x74, 0x72, 0x61, 0x69, 0x6e, 0x2d, 0x69];
    assert_idx_error(parse_images(&gzip), &["magic", "0x1f8b0808", "gzip", "decompress"]);
    assert_idx_error(parse_labels(&gzip), &["magic", "gzip"]);

    // Something else entirely: a PNG signature, a 16-bit IDX type code, a 4-dimensional header.
    let png = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_idx_error(parse_images(&png), &["magic", "0x89504e47", "expected 0x00000803"]);
    let mut shorts = images.clone();
    shorts[2] = 0x0b;
    assert_idx_error(parse_images(&shorts), &["magic", "0x00000b03"]);
    let mut four_dims = images.clone();
    four_dims[3] = 0x04;
    assert_idx_error(parse_images(&four_dims), &["magic"]);
    // No extra hint for an unknown magic number.
    match parse_images(&png) {
        Err(Error::Idx(m)) => assert!(!m.contains("gzip") && !m.contains("label file"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn images_and_labels_that_do_not_match() {
    let images = image_file(3);
    let two_labels = label_file(&[1, 2]);
    for result in [Dataset::from_idx(&images, &two_labels), Dataset::new(parse_images(&images).unwrap(), vec![1, 2])] {
        match result {
            Err(Error::Dataset(m)) => assert!(m.contains("3 images") && m.contains("2 labels"), "{m}"),
            other => panic!("expected Error::Dataset, got {other:?}"),
        }
    }
    // An empty pair is consistent but useless.
    match Dataset::from_idx(&image_file(0), &label_file(&[])) {
        Err(Error::Dataset(m)) => assert!(m.contains("empty"), "{m}"),
        other => panic!("expected Error::Dataset, got {other:?}"),
    }
    // Each file is checked before the two are compared.
    let mut bad_labels = label_file(&[1, 2, 3]);
    bad_labels.push(0);
    assert_idx_error(Dataset::from_idx(&images, &bad_labels), &["label file"]);
}

#[test]
fn trailing_bytes() {
    let mut images = image_file(2);
    images.extend([0xaa; 5]);
    assert_idx_error(parse_images(&images), &["image file", "5 unexpected bytes"]);
    // One more whole image than the header says is also wrong.
    let mut extra = image_header(1, 28, 28);
    extra.extend(pixels(2));
    assert_idx_error(parse_images(&extra), &["784 unexpected bytes"]);

    let mut labels = label_file(&[4, 5]);
    labels.push(6);
    assert_idx_error(parse_labels(&labels), &["label file", "1 unexpected bytes"]);
}

#[test]
fn labels_above_nine() {
    for bad in [10u8, 11, 200, 255] {
        assert_idx_error(parse_labels(&label_file(&[0, 9, bad, 1])), &["label", &bad.to_string(), "position 2", "0–9"]);
    }
    // 0 and 9 are the limits that are fine.
    assert_eq!(parse_labels(&label_file(&[0, 9])).unwrap(), vec![0, 9]);
}

#[test]
fn wrong_image_dimensions() {
    for (rows, cols) in [(27u32, 28u32), (28, 29), (32, 32), (0, 28), (1, 784)] {
        let mut file = image_header(1, rows, cols);
        file.extend(vec![0; (rows * cols) as usize]);
        assert_idx_error(parse_images(&file), &["image file", &format!("{rows}×{cols}"), "28×28"]);
    }
}

#[test]
fn error_messages_name_the_file_kind() {
    // The Display form prefixes the kind of problem, for the page and the command line.
    let error = parse_labels(&[0, 0, 8]).unwrap_err();
    assert!(error.to_string().starts_with("MNIST file: label file:"), "{error}");
}

#[test]
fn a_named_set_says_which_files_failed() {
    let images = image_file(3);
    let mut truncated = images.clone();
    truncated.truncate(20);
    let error = Dataset::from_named_idx_vec("training", truncated, &label_file(&[1, 2, 3])).unwrap_err();
    assert!(error.to_string().starts_with("MNIST file: training image file:"), "{error}");
    let error = Dataset::from_named_idx_vec("test", images.clone(), &[0, 0, 8]).unwrap_err();
    assert!(error.to_string().starts_with("MNIST file: test label file:"), "{error}");
    let error = Dataset::from_named_idx_vec("test", images.clone(), &label_file(&[1, 2])).unwrap_err();
    assert!(error.to_string().starts_with("data set: test set: 3 images but 2 labels"), "{error}");
    let data = Dataset::from_named_idx_vec("training", images.clone(), &label_file(&[1, 2, 3])).unwrap();
    assert_eq!(data, Dataset::from_idx(&images, &label_file(&[1, 2, 3])).unwrap());
}
