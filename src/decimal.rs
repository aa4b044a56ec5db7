//! Settings as people wrote them. A setting is kept as an `f32` (the precision the network computes
//! in), so 0.003 is stored as 0.0030000000260770321…; handed to JavaScript as that `f64`, a form or
//! a label would show the long tail. Settings are therefore written out as the `f64` nearest to the
//! shortest decimal that reads back as the same `f32` — 0.003 again — with arithmetic only, so the
//! WebAssembly file carries no decimal formatting or parsing for it.

use serde::Serializer;

/// The `f64` nearest to the shortest decimal (at most 9 significant digits, always enough for an
/// `f32`) that rounds to `x` as an `f32`, for |x| from 1e-13 to 1e21 (every setting); beyond, a
/// decimal as close as f64 powers of ten allow, which still reads back as `x`. Zero, infinities and
/// NaN come back as they are.
pub fn shortest(x: f32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x as f64;
    }
    let wide = x as f64;
    let exponent = wide.abs().log10().floor() as i32;
    for digits in 1..=9 {
        // `places` digits after the decimal point keep `digits` significant ones. Powers of ten up
        // to 10^22 are exact in an f64, so the quotient or product is the decimal correctly rounded.
        let places = digits - 1 - exponent;
        let candidate = if places >= 0 {
            let scale = 10f64.powi(places);
            (wide * scale).round() / scale
        } else {
            let scale = 10f64.powi(-places);
            (wide / scale).round() * scale
        };
        if candidate as f32 == x {
            return candidate;
        }
    }
    wide
}

/// `#[serde(serialize_with = "crate::decimal::serialize")]` for an `f32` setting.
pub fn serialize<S: Serializer>(x: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(shortest(*x))
}

#[cfg(test)]
mod tests {
    use super::shortest;

    #[test]
    fn settings_come_back_as_written() {
        for (x, written) in [(0.003f32, 0.003), (0.1, 0.1), (3.0, 3.0), (1e-8, 1e-8), (0.999, 0.999), (2.5e-4, 2.5e-4), (60000.0, 60000.0)] {
            assert_eq!(shortest(x), written, "{x}");
            assert_eq!(shortest(-x), -written);
        }
        assert_ne!(0.003f32 as f64, 0.003, "the problem this solves");
    }

    #[test]
    fn matches_the_shortest_decimal_rust_prints() {
        // Rust prints an f32 as the shortest decimal that reads back as it: the reference.
        let mut x = 1.0e-30f32;
        while x < 1.0e30 {
            for value in [x, x.next_up(), -x] {
                if (1e-13..1e21).contains(&value.abs()) {
                    let reference: f64 = format!("{value}").parse().unwrap();
                    assert_eq!(shortest(value), reference, "{value}");
                }
                assert_eq!(shortest(value) as f32, value, "{value} reads back");
            }
            x *= 1.37;
        }
        assert!(shortest(f32::NAN).is_nan());
        assert_eq!(shortest(f32::INFINITY), f64::INFINITY);
        assert_eq!(shortest(0.0), 0.0);
    }
}
