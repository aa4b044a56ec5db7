//! Drawing preprocessing on arbitrary RGBA bytes and sizes: an error, an empty drawing, or 784
//! values in [0, 1] — never a panic.
#![no_main]
use inkling::preprocess::prepare_rgba;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
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
    let _ = prepare_rgba(pixels, width, height);
});
