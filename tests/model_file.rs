//! Saving and loading networks: a round trip keeps every weight bit and so every prediction; and a
//! file that is corrupt (flipped bytes, truncated, stray bytes), foreign (wrong magic), of another
//! version, of a mismatched or absurd architecture, or with non-finite weights gives `Error::Model`
//! with a clear message — never a panic, and never a huge allocation (measured with a counting
//! allocator).
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web.rs

use inkling::batch::InputBatch;
use inkling::architecture::{Architecture, MNIST_INPUT};
use inkling::layer::MapLayer;
use inkling::model_file::{
    load, load_taught, save, save_taught, LayerFile, MapModelFile, ModelFile, DIGIT_BYTES, MAGIC, MAP_VERSION, MAX_FILE_BYTES,
    TAUGHT_VERSION, VERSION,
};
use inkling::dataset::Dataset;
use inkling::mnist::{Images, IMAGE_PIXELS};
use inkling::model_file::Model;
use inkling::trainer::{TaughtDigit, TrainConfig, Trainer, MAX_TAUGHT_DIGITS};
use inkling::network::{Mlp, Workspace};
use inkling::trainer::predict;
use inkling::Error;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the bytes allocated by the current thread, so a test can measure what one call allocates
/// while other tests run on other threads.
struct CountingAllocator;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|live| {
        live.set(live.get() + delta);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(live.get())));
    });
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        note(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new_size) };
        if !q.is_null() {
            note(new_size as isize - layout.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `f` and returns its result with the most memory it held at once on this thread, in bytes.
fn peak_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    let result = f();
    (result, PEAK.with(|p| p.get()).max(0) as usize)
}

const DESCRIPTION: &str = "test net — 3 layers";

fn network(sizes: &[usize], seed: u64) -> Mlp {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut net = Mlp::new(sizes, &mut rng).unwrap();
    for layer in &mut net.layers {
        layer.biases.iter_mut().for_each(|b| *b = rng.random_range(-0.5f32..0.5));
    }
    net
}

/// The bytes of a model file for `record`, header included.
fn encode(record: &ModelFile) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend(postcard::to_stdvec(record).unwrap());
    bytes
}

fn record(sizes: &[u32], layers: Vec<LayerFile>) -> ModelFile {
    ModelFile { sizes: sizes.to_vec(), layers, description: String::new() }
}

/// A layer of the right shape for `inputs → outputs`, all weights 0.5.
fn layer(inputs: usize, outputs: usize) -> LayerFile {
    LayerFile { weights: vec![0.5; inputs * outputs], biases: vec![0.0; outputs] }
}

/// Asserts an `Error::Model` whose message mentions every one of `needles`.
fn assert_model_error(result: inkling::Result<(Mlp, String)>, needles: &[&str]) {
    match result {
        Err(Error::Model(message)) => {
            for needle in needles {
                assert!(message.contains(needle), "{message:?} does not mention {needle:?}");
            }
        }
        Err(other) => panic!("expected Error::Model mentioning {needles:?}, got {other:?}"),
        Ok((net, _)) => panic!("expected Error::Model mentioning {needles:?}, got a {:?} network", net.sizes()),
    }
}

#[test]
fn round_trip_gives_identical_predictions() {
    let net = network(&[784, 32, 16, 10], 1);
    let bytes = save(&net, DESCRIPTION);
    // The documented layout: magic, little-endian u16 version 1, then the record.
    assert_eq!(&bytes[..8], b"INKMODEL");
    assert_eq!(&bytes[8..10], &[1, 0]);

    let (loaded, description) = load(&bytes).unwrap();
    assert_eq!(description, DESCRIPTION);
    assert_eq!(loaded.sizes(), vec![784, 32, 16, 10]);
    for (a, b) in net.layers.iter().zip(&loaded.layers) {
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(a.weights.as_slice()), bits(b.weights.as_slice()));
        assert_eq!(bits(a.biases.as_slice()), bits(b.biases.as_slice()));
    }

    let mut rng = Pcg64Mcg::seed_from_u64(2);
    let (mut input, mut ws) = (InputBatch::with_capacity(784, 1), Workspace::default());
    for _ in 0..20 {
        let pixels: Vec<f32> =
            (0..784).map(|_| if rng.random_bool(0.8) { 0.0 } else { rng.random_range(0.0..1.0) }).collect();
        let before = predict(&net, &pixels, &mut input, &mut ws).unwrap();
        let after = predict(&loaded, &pixels, &mut input, &mut ws).unwrap();
        assert_eq!(
            before.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            after.iter().map(|p| p.to_bits()).collect::<Vec<_>>()
        );
    }
    // Saving the loaded network gives the same bytes.
    assert_eq!(save(&loaded, DESCRIPTION), bytes);
}

#[test]
fn wrong_magic() {
    let good = save(&network(&[6, 4, 3], 3), "");
    let mut foreign = good.clone();
    foreign[7] = b'X';
    let short = &good[..9];
    let png = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];
    for bytes in [&foreign[..], short, &png, b"", b"hello, world"] {
        assert_model_error(load(bytes), &["not an Inkling model file", "INKMODEL"]);
    }
}

#[test]
fn another_version() {
    let good = save(&network(&[6, 4, 3], 3), "");
    for version in [0u16, 4, 0x0100, u16::MAX] {
        let mut bytes = good.clone();
        bytes[8..10].copy_from_slice(&version.to_le_bytes());
        assert_model_error(load(&bytes), &[&format!("version {version}"), "not supported", "versions 1 to 3"]);
    }
    // An MLP's record read as a ConvNet's is refused, not misread.
    let mut bytes = good.clone();
    bytes[8..10].copy_from_slice(&MAP_VERSION.to_le_bytes());
    assert!(matches!(load(&bytes), Err(Error::Model(_))));
}

#[test]
fn truncated_files() {
    let good = save(&network(&[20, 9, 6, 4], 4), DESCRIPTION);
    for len in 0..good.len() {
        assert!(matches!(load(&good[..len]), Err(Error::Model(_))), "a file cut to {len} bytes was accepted");
    }
    // A cut inside the record names the problem.
    assert_model_error(load(&good[..good.len() / 2]), &["corrupt"]);
}

#[test]
fn stray_bytes_at_the_end() {
    let mut bytes = save(&network(&[6, 4, 3], 5), "");
    bytes.extend([0, 0, 7]);
    assert_model_error(load(&bytes), &["corrupt", "3 stray bytes"]);
}

/// What a byte of the file holds, from the documented layout (postcard: lengths and u32 as LEB128
/// varints, f32 as 4 little-endian bytes, fields in order).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    Header,
    /// A length or a size: any change breaks the structure.
    Structure,
    /// Byte `byte` of parameter `index` of layer `layer` (weights then biases, flattened).
    Float {
        layer: usize,
        index: usize,
        byte: usize,
    },
    Description,
}

fn varint_len(mut v: usize) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn layout(sizes: &[usize], description: &str) -> Vec<Part> {
    let mut parts = vec![Part::Header; 10];
    let structure =
        |parts: &mut Vec<Part>, v: usize| parts.extend(std::iter::repeat_n(Part::Structure, varint_len(v)));
    structure(&mut parts, sizes.len());
    for &s in sizes {
        structure(&mut parts, s);
    }
    structure(&mut parts, sizes.len() - 1);
    for (layer, w) in sizes.windows(2).enumerate() {
        let mut index = 0;
        for count in [w[0] * w[1], w[1]] {
            structure(&mut parts, count);
            for _ in 0..count {
                parts.extend((0..4).map(|byte| Part::Float { layer, index, byte }));
                index += 1;
            }
        }
    }
    structure(&mut parts, description.len());
    parts.extend(std::iter::repeat_n(Part::Description, description.len()));
    parts
}

fn parameters(net: &Mlp, layer: usize) -> Vec<f32> {
    net.layers[layer].weights.iter().chain(net.layers[layer].biases.iter()).copied().collect()
}

/// Every byte of a small model file flipped in three ways. Lengths, sizes and the header are
/// structure: any change must be refused. A flipped weight byte cannot be detected (the format has no
/// checksum), so there the file must load with exactly that one value changed — or be refused with
/// "not finite" when the flip makes it NaN or infinite. No flip may panic.
#[test]
fn flipped_bytes() {
    let sizes = [20, 9, 6, 4];
    let net = network(&sizes, 6);
    let good = save(&net, DESCRIPTION);
    let parts = layout(&sizes, DESCRIPTION);
    assert_eq!(parts.len(), good.len(), "the layout accounts for every byte");

    let mut outcomes = [0usize; 2]; // refused, loaded with one value changed
    for (position, &part) in parts.iter().enumerate() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bytes = good.clone();
            bytes[position] ^= mask;
            let result = load(&bytes);
            match part {
                Part::Header | Part::Structure => {
                    assert!(
                        matches!(result, Err(Error::Model(_))),
                        "byte {position} ({part:?}) ^ {mask:#04x}: {result:?}"
                    );
                    outcomes[0] += 1;
                }
                Part::Float { layer, index, byte } => {
                    let original = parameters(&net, layer)[index];
                    let flipped = f32::from_bits(original.to_bits() ^ ((mask as u32) << (8 * byte)));
                    if flipped.is_finite() {
                        let (loaded, _) = result.unwrap_or_else(|e| panic!("byte {position} ^ {mask:#04x}: {e}"));
                        for l in 0..net.layers.len() {
                            let mut want = parameters(&net, l);
                            if l == layer {
                                want[index] = flipped;
                            }
                            let got = parameters(&loaded, l);
                            assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "byte {position}");
                        }
                        outcomes[1] += 1;
                    } else {
                        assert_model_error(result, &[&format!("layer {}", layer + 1), "not finite"]);
                    }
                }
                Part::Description => {
                    // Either another valid text or invalid UTF-8; the weights are untouched either way.
                    match result {
                        Ok((loaded, description)) => {
                            assert_eq!(loaded, net);
                            assert_ne!(description, DESCRIPTION);
                        }
                        Err(Error::Model(m)) => assert!(m.contains("corrupt"), "{m}"),
                        Err(e) => panic!("{e:?}"),
                    }
                }
            }
        }
    }
    assert!(outcomes.iter().all(|&n| n > 0), "both kinds of outcome occurred: {outcomes:?}");
}

#[test]
fn mismatched_architecture() {
    // Fewer and more layers than the sizes say.
    assert_model_error(load(&encode(&record(&[4, 3, 2], vec![layer(4, 3)]))), &["2 layers", "holds 1"]);
    let three = vec![layer(4, 3), layer(3, 2), layer(2, 2)];
    assert_model_error(load(&encode(&record(&[4, 3, 2], three))), &["2 layers", "holds 3"]);
    // Weights or biases of the wrong length, in either layer.
    let short_weights = LayerFile { weights: vec![0.5; 11], biases: vec![0.0; 3] };
    assert_model_error(
        load(&encode(&record(&[4, 3, 2], vec![short_weights, layer(3, 2)]))),
        &["layer 1", "3×4 weights", "3 biases", "has 11 and 3"],
    );
    let long_biases = LayerFile { weights: vec![0.5; 6], biases: vec![0.0; 5] };
    assert_model_error(
        load(&encode(&record(&[4, 3, 2], vec![layer(4, 3), long_biases]))),
        &["layer 2", "2×3 weights", "2 biases", "has 6 and 5"],
    );
    // The transposed shape has the right count, so it loads: the format stores sizes, not shapes.
    let (net, _) = load(&encode(&record(&[4, 3, 2], vec![layer(4, 3), layer(3, 2)]))).unwrap();
    assert_eq!(net.sizes(), vec![4, 3, 2]);
    // Too few sizes, and a zero size.
    assert_model_error(load(&encode(&record(&[784], vec![]))), &["unusable architecture", "input and an output"]);
    assert_model_error(load(&encode(&record(&[], vec![]))), &["unusable architecture"]);
    assert_model_error(load(&encode(&record(&[4, 0, 2], vec![layer(4, 0), layer(0, 2)]))), &["unusable", "at least 1"]);
}

#[test]
fn non_finite_weights() {
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut first = layer(4, 3);
        first.weights[5] = bad;
        assert_model_error(load(&encode(&record(&[4, 3, 2], vec![first, layer(3, 2)]))), &["layer 1", "not finite"]);
        let mut second = layer(3, 2);
        second.biases[1] = bad;
        assert_model_error(load(&encode(&record(&[4, 3, 2], vec![layer(4, 3), second]))), &["layer 2", "not finite"]);
    }
}

/// LEB128, as postcard writes lengths.
fn varint(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn header() -> Vec<u8> {
    let mut bytes = b"INKMODEL".to_vec();
    bytes.extend([1, 0]);
    bytes
}

/// Sizes and counts far beyond what the file holds or the settings allow are refused before anything
/// of their size is allocated: each load here holds less than 1 MB at its peak.
#[test]
fn absurd_declared_sizes() {
    const LIMIT: usize = 1 << 20;
    let check = |bytes: Vec<u8>, needles: &[&str]| {
        let (result, peak) = peak_allocation(|| load(&bytes));
        assert_model_error(result, needles);
        assert!(peak < LIMIT, "loading {needles:?} allocated {peak} bytes");
    };

    // Layer sizes of 4 billion units, and too many parameters in all.
    check(encode(&record(&[784, 4_000_000_000, 10], vec![])), &["unusable", "4000000000 units"]);
    check(encode(&record(&[784, 4096, 4096, 4096, 10], vec![])), &["unusable", "parameters"]);
    // 1000 layers of one unit each: few parameters, but far too deep.
    check(encode(&record(&vec![1; 1001], vec![])), &["declares 1000 layers", "at most 64"]);
    let mut rng = Pcg64Mcg::seed_from_u64(9);
    assert!(matches!(Mlp::new(&[1; 66], &mut rng), Err(Error::Config(m)) if m.contains("65 layers")));
    assert!(Mlp::new(&[1; 65], &mut rng).is_ok(), "64 layers are allowed");

    // A sizes list declared 2⁶⁰ long, with nothing after it.
    let mut bytes = header();
    varint(1 << 60, &mut bytes);
    check(bytes, &["declares", "layers"]);

    // Ten million layers declared, each present as two empty lengths (a 20 MB file, under the limit
    // on file size): the architecture says one layer.
    let mut bytes = header();
    for v in [2, 784, 10, 10_000_000] {
        varint(v, &mut bytes);
    }
    bytes.resize(bytes.len() + 2 * 10_000_000 + 1, 0);
    assert!(bytes.len() < MAX_FILE_BYTES);
    check(bytes, &["1 layers", "holds 10000000"]);

    // A weight list declared 2³² − 1 long in a 40-byte file.
    let mut bytes = header();
    for v in [3, 4, 3, 2, 2, u32::MAX as u64] {
        varint(v, &mut bytes);
    }
    bytes.extend([0; 40]);
    check(bytes, &["corrupt"]);

    // A description declared 2⁶⁰ bytes long.
    let mut bytes = encode(&record(&[4, 3, 2], vec![layer(4, 3), layer(3, 2)]));
    bytes.pop(); // the empty description's length
    varint(1 << 60, &mut bytes);
    check(bytes, &["corrupt"]);
}

#[test]
fn files_over_the_size_limit() {
    let bytes = vec![0u8; MAX_FILE_BYTES + 1];
    assert_model_error(load(&bytes), &["too large", "32 MB"]);
}

/// Random damage — bytes overwritten, cut or inserted anywhere — gives errors or (for damage confined
/// to weights or text) a network, but never a panic.
#[test]
fn random_damage_never_panics() {
    let good = save(&network(&[20, 9, 6, 4], 7), DESCRIPTION);
    let mut rng = Pcg64Mcg::seed_from_u64(8);
    let mut errors = 0;
    for _ in 0..5000 {
        let mut bytes = good.clone();
        for _ in 0..rng.random_range(1..4) {
            if bytes.len() <= 10 {
                break;
            }
            let at = rng.random_range(10..bytes.len());
            match rng.random_range(0..3) {
                0 => bytes[at] = rng.random(),
                1 => bytes.truncate(at),
                _ => bytes.insert(at, rng.random()),
            }
        }
        match load(&bytes) {
            Ok((net, _)) => assert_eq!(net.sizes(), vec![20, 9, 6, 4]),
            Err(Error::Model(_)) => errors += 1,
            Err(other) => panic!("not a model error: {other:?}"),
        }
    }
    assert!(errors > 1000, "only {errors} damaged files were refused");
}

// ConvNets: format version 2.

const CONVNET: &str = "c4k5-p2-c6k3s-p2-16";

fn convnet(seed: u64) -> Mlp {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut net = CONVNET.parse::<Architecture>().unwrap().build(MNIST_INPUT, 10, &mut rng).unwrap();
    for layer in &mut net.maps {
        if let MapLayer::Conv(c) = layer {
            c.biases.iter_mut().for_each(|b| *b = rng.random_range(-0.5f32..0.5));
        }
    }
    net
}

/// Every parameter of a network, convolutions first, as bits.
fn all_bits(net: &Mlp) -> Vec<u32> {
    net.parameters().flat_map(|p| p.iter().map(|v| v.to_bits())).collect()
}

fn map_encode(record: &MapModelFile) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&MAP_VERSION.to_le_bytes());
    bytes.extend(postcard::to_stdvec(record).unwrap());
    bytes
}

/// The record `save` writes for [`CONVNET`], to be damaged by a test.
fn map_record() -> MapModelFile {
    let bytes = save(&convnet(11), DESCRIPTION);
    postcard::from_bytes(&bytes[10..]).unwrap()
}

#[test]
fn convnet_round_trip_gives_identical_predictions() {
    let net = convnet(10);
    let bytes = save(&net, DESCRIPTION);
    assert_eq!(&bytes[8..10], &[2, 0], "a ConvNet is saved in version 2");
    let record: MapModelFile = postcard::from_bytes(&bytes[10..]).unwrap();
    assert_eq!((record.architecture.as_str(), record.input, record.classes), (CONVNET, [1, 28, 28], 10));
    assert_eq!(record.layers.len(), 4, "two convolutions and two dense layers");

    let (loaded, description) = load(&bytes).unwrap();
    assert_eq!(description, DESCRIPTION);
    assert_eq!(Architecture::of(&loaded).to_string(), CONVNET);
    assert_eq!(all_bits(&loaded), all_bits(&net));
    let mut rng = Pcg64Mcg::seed_from_u64(12);
    let (mut input, mut ws) = (InputBatch::with_capacity(784, 1), Workspace::default());
    for _ in 0..10 {
        let pixels: Vec<f32> = (0..784).map(|_| if rng.random_bool(0.7) { 0.0 } else { rng.random_range(0.0..1.0) }).collect();
        let before = predict(&net, &pixels, &mut input, &mut ws).unwrap();
        let after = predict(&loaded, &pixels, &mut input, &mut ws).unwrap();
        assert_eq!(before.iter().map(|p| p.to_bits()).collect::<Vec<_>>(), after.iter().map(|p| p.to_bits()).collect::<Vec<_>>());
    }
    assert_eq!(save(&loaded, DESCRIPTION), bytes);
}

#[test]
fn convnet_files_that_do_not_fit_are_refused() {
    let check = |record: MapModelFile, needles: &[&str]| assert_model_error(load(&map_encode(&record)), needles);
    check(MapModelFile { architecture: "c4k3-p3".into(), ..map_record() }, &["unusable architecture", "only 2×2 pooling"]);
    check(MapModelFile { architecture: "c4k5-p2-c6k3s-p2-16-128-c2k1".into(), ..map_record() }, &["unusable", "before the dense layers"]);
    check(MapModelFile { architecture: "c4k5-p2-c6k3s-p2".into(), ..map_record() }, &["3 layers with parameters", "holds 4"]);
    check(MapModelFile { input: [1, 27, 27], ..map_record() }, &["unusable", "even height and width"]);
    check(MapModelFile { input: [2, 28, 28], ..map_record() }, &["layer 1", "should have 200 weights", "has 100"]);
    check(MapModelFile { input: [u32::MAX, u32::MAX, u32::MAX], ..map_record() }, &["unusable input", "4294967295 maps"]);
    check(MapModelFile { input: [1, 0, 28], ..map_record() }, &["unusable input"]);
    check(MapModelFile { classes: 0, ..map_record() }, &["unusable number of classes 0"]);
    check(MapModelFile { classes: 11, ..map_record() }, &["layer 4", "should have 176 weights and 11 biases", "has 160 and 10"]);
    let mut record = map_record();
    record.layers[1].biases.pop();
    check(record, &["layer 2", "6 biases", "has 216 and 5"]);
    for bad in [f32::NAN, f32::INFINITY] {
        let mut record = map_record();
        record.layers[0].weights[3] = bad;
        check(record, &["layer 1", "not finite"]);
    }
    // The same file as an MLP's: not misread as one.
    let mut bytes = save(&convnet(13), "");
    bytes[8..10].copy_from_slice(&VERSION.to_le_bytes());
    assert!(matches!(load(&bytes), Err(Error::Model(_))));
}

/// Hostile declarations are refused before anything of their size is allocated.
#[test]
fn convnet_absurd_declarations() {
    const LIMIT: usize = 1 << 20;
    let check = |bytes: Vec<u8>, needles: &[&str]| {
        let (result, peak) = peak_allocation(|| load(&bytes));
        assert_model_error(result, needles);
        assert!(peak < LIMIT, "loading {needles:?} allocated {peak} bytes");
    };
    let mut header = MAGIC.to_vec();
    header.extend_from_slice(&MAP_VERSION.to_le_bytes());
    // An architecture declared 2⁶⁰ bytes long, and one merely far too long.
    let mut bytes = header.clone();
    varint(1 << 60, &mut bytes);
    check(bytes, &["architecture is", "at most 512"]);
    check(map_encode(&MapModelFile { architecture: "c1k1-".repeat(200) + "1", ..map_record() }), &["1001 bytes long"]);
    // Layers whose maps or parameters would take gigabytes.
    check(map_encode(&MapModelFile { architecture: "c256k3s-c256k3s".into(), ..map_record() }), &["values per example"]);
    check(map_encode(&MapModelFile { architecture: "c4k3-4096-4096".into(), ..map_record() }), &["parameters"]);
    check(map_encode(&MapModelFile { input: [256, 1024, 1024], ..map_record() }), &["unusable"]);
    // Ten million parameter lists declared, each two empty lengths.
    let mut bytes = map_encode(&MapModelFile { layers: vec![], description: String::new(), ..map_record() });
    bytes.truncate(bytes.len() - 2); // the empty layer list and description
    varint(10_000_000, &mut bytes);
    bytes.resize(bytes.len() + 2 * 10_000_000 + 1, 0);
    check(bytes, &["4 layers with parameters", "holds 10000000"]);
}

#[test]
fn damaged_convnet_files_never_panic() {
    let good = save(&convnet(14), DESCRIPTION);
    for len in 0..good.len() {
        assert!(matches!(load(&good[..len]), Err(Error::Model(_))), "a file cut to {len} bytes was accepted");
    }
    let mut rng = Pcg64Mcg::seed_from_u64(15);
    let mut errors = 0;
    for _ in 0..3000 {
        let mut bytes = good.clone();
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(10..bytes.len());
            match rng.random_range(0..3) {
                0 => bytes[at] = rng.random(),
                1 => bytes.truncate(at.max(11)),
                _ => bytes.insert(at, rng.random()),
            }
        }
        match load(&bytes) {
            Ok((net, _)) => assert_eq!(net.parameter_count(), convnet(14).parameter_count()),
            Err(Error::Model(_)) => errors += 1,
            Err(other) => panic!("not a model error: {other:?}"),
        }
    }
    assert!(errors > 500, "only {errors} damaged files were refused");
}

// Your digits: format version 3.

/// `n` digits with labels 0–9 in turn and pixels from `seed`.
fn digits(n: usize, seed: u64) -> Vec<TaughtDigit> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    (0..n).map(|i| TaughtDigit::new((i % 10) as u8, (0..784).map(|_| rng.random::<u8>()).collect()).unwrap()).collect()
}

#[test]
fn digits_round_trip_in_version_3_for_mlps_and_convnets() {
    for (net, inner) in [(network(&[784, 16, 10], 30), VERSION), (convnet(31), MAP_VERSION)] {
        let taught = digits(13, 32);
        let bytes = save_taught(&net, DESCRIPTION, &taught);
        assert_eq!(&bytes[8..10], &TAUGHT_VERSION.to_le_bytes(), "a network with digits is saved in version 3");
        assert_eq!(&bytes[10..12], &inner.to_le_bytes(), "then its own version");
        // The rest is the network's record exactly as its own version writes it, then the digits.
        let plain = save(&net, DESCRIPTION);
        assert_eq!(&bytes[12..12 + plain.len() - 10], &plain[10..]);
        let model = load_taught(&bytes).unwrap();
        assert_eq!(model.digits, taught);
        assert_eq!(model.description, DESCRIPTION);
        assert_eq!(all_bits(&model.net), all_bits(&net));
        assert_eq!(save_taught(&model.net, DESCRIPTION, &model.digits), bytes);
        // `load` reads the network of a version 3 file too.
        assert_eq!(all_bits(&load(&bytes).unwrap().0), all_bits(&net));
        // Without digits, the file is the plain version 1 or 2 one, and loads with none.
        assert_eq!(save_taught(&net, DESCRIPTION, &[]), plain);
        assert!(load_taught(&plain).unwrap().digits.is_empty());
    }
}

/// A version 3 file of a small MLP whose digit list is `tail` (its length varint and bytes).
fn taught_file(tail: &[u8]) -> Vec<u8> {
    let plain = save(&network(&[784, 4, 10], 33), "");
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&TAUGHT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&plain[10..]);
    bytes.extend_from_slice(tail);
    bytes
}

#[test]
fn damaged_digit_lists_are_refused() {
    let good = save_taught(&network(&[784, 4, 10], 34), "", &digits(3, 35));
    for len in 0..good.len() {
        assert!(matches!(load_taught(&good[..len]), Err(Error::Model(_))), "a file cut to {len} bytes was accepted");
    }
    let mut stray = good.clone();
    stray.push(0);
    assert_model_error(load(&stray), &["1 stray bytes"]);
    // A label beyond 9.
    let mut digit = vec![0u8; DIGIT_BYTES];
    digit[0] = 10;
    let mut tail = Vec::new();
    varint(DIGIT_BYTES as u64, &mut tail);
    tail.extend(&digit);
    assert_model_error(load(&taught_file(&tail)), &["digit", "damaged", "label is not 0 to 9"]);
    // Bytes that are not a whole number of digits.
    let mut tail = Vec::new();
    varint(DIGIT_BYTES as u64 - 1, &mut tail);
    tail.extend(vec![0u8; DIGIT_BYTES - 1]);
    assert_model_error(load(&taught_file(&tail)), &["not a whole number of digits"]);
    // The network's own version must be 1 or 2.
    let mut bytes = good.clone();
    bytes[10..12].copy_from_slice(&TAUGHT_VERSION.to_le_bytes());
    assert_model_error(load(&bytes), &["corrupt", "version is not 1 or 2"]);
}

#[test]
fn absurd_digit_counts_are_refused_before_allocating() {
    for declared in [(MAX_TAUGHT_DIGITS + 1) * DIGIT_BYTES, u32::MAX as usize / DIGIT_BYTES * DIGIT_BYTES] {
        let mut tail = Vec::new();
        varint(declared as u64, &mut tail);
        tail.extend(vec![1u8; 64]);
        let bytes = taught_file(&tail);
        let (result, peak) = peak_allocation(|| load(&bytes));
        assert_model_error(result, &["more than 1000 digits"]);
        assert!(peak < 1 << 20, "refusing {declared} bytes of digits allocated {peak} bytes");
    }
    // The most digits there may be load.
    let taught = digits(MAX_TAUGHT_DIGITS, 36);
    let bytes = save_taught(&network(&[784, 4, 10], 37), "", &taught);
    assert_eq!(load_taught(&bytes).unwrap().digits.len(), MAX_TAUGHT_DIGITS);
}

/// Importing a model file checks everything before it changes anything: a network of the wrong
/// shape, or more digits than a network keeps, leaves the network and Your digits as they were; a
/// good file replaces both.
#[test]
fn an_import_that_fails_changes_nothing() {
    let images = Images { count: 40, rows: 28, cols: 28, pixels: (0..40 * IMAGE_PIXELS).map(|i| (i * 7 % 256) as u8).collect() };
    let data = Dataset::new(images, (0..40).map(|i| (i % 10) as u8).collect()).unwrap();
    let mut trainer = Trainer::new(TrainConfig { layers: Architecture::mlp(&[16]), ..TrainConfig::default() }, data, None, 1).unwrap();
    let digit = |label| TaughtDigit::from_values(label, &[0.25; IMAGE_PIXELS]).unwrap();
    let mine = vec![digit(3)];
    trainer.set_taught_digits(mine.clone()).unwrap();
    let before = trainer.network().clone();
    let good = network(&[IMAGE_PIXELS, 8, 10], 2);
    for (model, needle) in [
        (Model { net: network(&[IMAGE_PIXELS, 8, 9], 2), description: "nine classes".into(), digits: vec![digit(1)] }, "MNIST needs 784 to 10"),
        (Model { net: good.clone(), description: "too many digits".into(), digits: vec![digit(1); MAX_TAUGHT_DIGITS + 1] }, "at most 1000"),
    ] {
        let e = trainer.import_model(model).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
        assert_eq!(trainer.network(), &before, "{needle}: the network is kept");
        assert_eq!(trainer.taught_digits(), mine.as_slice(), "{needle}: Your digits are kept");
    }
    let model = Model { net: good.clone(), description: "good".into(), digits: vec![digit(7)] };
    assert_eq!(trainer.import_model(model).unwrap(), "good");
    assert_eq!(trainer.network(), &good);
    assert_eq!(trainer.taught_digits(), &[digit(7)]);
    assert_eq!(trainer.config().layers, Architecture::mlp(&[8]));
}
