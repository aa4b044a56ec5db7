//! How an image's bytes become the network's inputs: byte `p` (0 = paper, 255 = full ink) is the
//! value `p / 255` in [0, 1], MNIST's own convention. Every path from bytes to inputs — batches,
//! non-zero lists, augmentation, test images handed to the page — goes through here, so the
//! network sees the same number for the same byte whichever way the byte arrives.

/// The input value of byte `p`: `p / 255`.
#[inline(always)]
pub const fn pixel_value(p: u8) -> f32 {
    p as f32 / 255.0
}

/// [`pixel_value`] of every byte, looked up: the same numbers as the division, at the cost of a
/// load (the first layer's kernels index it with the bytes of their non-zero lists).
pub const PIXEL_VALUES: [f32; 256] = {
    let mut table = [0.0f32; 256];
    let mut p = 0;
    while p < 256 {
        table[p] = pixel_value(p as u8);
        p += 1;
    }
    table
};

/// The byte nearest to input value `v`, for values in [0, 1] (outside, the nearest end): the
/// inverse of [`pixel_value`], which gives back every byte exactly.
#[inline]
pub fn pixel_byte(v: f32) -> u8 {
    // After the clamp the cast cannot saturate; +0.5 rounds to nearest.
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

/// The input values of an image given as bytes.
pub fn pixel_values(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&p| pixel_value(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_a_fraction_of_full_ink() {
        assert_eq!((pixel_value(0), pixel_value(255)), (0.0, 1.0));
        assert_eq!(pixel_value(51), 0.2);
        assert_eq!(pixel_values(&[0, 51, 255]), vec![0.0, 0.2, 1.0]);
        for p in 0..=255u8 {
            assert_eq!(PIXEL_VALUES[p as usize], p as f32 / 255.0, "the table is the division, byte {p}");
            assert_eq!(pixel_byte(pixel_value(p)), p, "byte {p} survives the round trip");
        }
    }

    #[test]
    fn values_round_to_the_nearest_byte() {
        assert_eq!(pixel_byte(0.5), 128, "127.5 rounds up");
        assert_eq!(pixel_byte(0.499), 127);
        assert_eq!((pixel_byte(-0.3), pixel_byte(1.7)), (0, 255), "values outside [0, 1] take the nearest end");
    }
}
