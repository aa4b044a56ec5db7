//! Drawing preprocessing on arbitrary RGBA bytes and sizes: an error, an empty drawing, or 784
//! values in [0, 1] — never a panic.
#![no_main]
use inkling::preprocess::prepare_rgba;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    // Up to 96 px a side: the preprocessing redraws any drawing on a grid of the same size (its
    // longer side 120 px), so larger drawings reach no other code, only cost more per input.
    let width = u16::from_le_bytes([data[0], data[1]]) as usize % 97;
    let height = u16::from_le_bytes([data[2], data[3]]) as usize % 97;
    let pixels = &data[4..];
    // Mostly the right length, so the resampling and centring code is reached.
    let rgba: Vec<u8> = if width * height * 4 > 0 {
        pixels.iter().copied().cycle().take(width * height * 4).collect()
    } else {
        pixels.to_vec()
    };
    if let Ok(Some(prepared)) = prepare_rgba(&rgba, width, height) {
        assert_eq!(prepared.pixels.len(), 784);
        assert!(prepared.pixels.iter().all(|v| (0.0..=1.0).contains(v)), "values out of range");
    }
    if pixels.len() != rgba.len() {
        let _ = prepare_rgba(pixels, width, height); // mostly the wrong length: an error
    }
});
