//! Settings as they come from outside the crate — the page's form and links, through the bindings:
//! the seed, which arrives as a JavaScript number.

use crate::error::{Error, Result};

/// The largest seed: 2^53 − 1, the largest whole number a JavaScript number (an `f64`) holds
/// exactly, so that every seed can be shown and given back.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// A seed given as a number: a whole number from 0 to [`MAX_SEED`]; anything else (a fraction,
/// below zero, too large, NaN or infinite) is refused with a message that says so.
pub fn seed_from_number(seed: f64) -> Result<u64> {
    if (0.0..=MAX_SEED as f64).contains(&seed) && seed.fract() == 0.0 {
        Ok(seed as u64)
    } else {
        Err(Error::Config(format!("the seed must be a whole number from 0 to 2^53 − 1 (got {seed})")))
    }
}

/// A seed drawn from 64 random bits: 53 of them, so that it survives the trip through a JavaScript
/// number ([`seed_from_number`] takes it back).
pub fn seed_from_random_bits(bits: u64) -> u64 {
    bits >> 11
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_is_a_whole_number_from_0_to_2_to_the_53_minus_1() {
        for (given, seed) in [(0.0, 0), (-0.0, 0), (1.0, 1), (42.0, 42), (9_007_199_254_740_991.0, MAX_SEED)] {
            assert_eq!(seed_from_number(given), Ok(seed), "{given}");
        }
        for bad in [-1.0, 0.5, 1e-300, 9_007_199_254_740_992.0, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let error = seed_from_number(bad).unwrap_err().to_string();
            assert_eq!(error, format!("settings: the seed must be a whole number from 0 to 2^53 − 1 (got {bad})"));
        }
    }

    #[test]
    fn a_random_seed_is_one_a_number_gives_back() {
        for bits in [0, 1, 0x0123_4567_89ab_cdef, u64::MAX] {
            let seed = seed_from_random_bits(bits);
            assert_eq!(seed_from_number(seed as f64), Ok(seed), "{bits:#x}");
        }
        assert_eq!(seed_from_random_bits(u64::MAX), MAX_SEED);
    }
}
