//! Activation functions, applied in place to a batch (one example per column).

/// `A = max(Z, 0)`, elementwise.
pub fn relu(z: &[f32], a: &mut [f32]) {
    for (a, &z) in a.iter_mut().zip(z) {
        // A comparison rather than f32::max: in wasm, Rust's max (which ignores NaN) is a call to
        // fmaxf per value, while this becomes a vector select — same results, NaN included (→ 0).
        *a = if z > 0.0 { z } else { 0.0 };
    }
}

/// `dZ ⊙= ReLU′(Z)`: keeps the gradient where `Z > 0`, zeroes it elsewhere.
///
/// ReLU′(0) is taken as 0, as in the original NumPy project (`Z > 0`).
pub fn relu_backward(z: &[f32], dz: &mut [f32]) {
    // A select, not a conditional store, so that it compiles to vector blends.
    for (d, &z) in dz.iter_mut().zip(z) {
        *d = if z <= 0.0 { 0.0 } else { *d };
    }
}

/// Column-wise softmax, in place: each column of `z` (`rows` values, one example) becomes
/// `exp(z - max z) / Σ exp(z - max z)`.
///
/// Subtracting the column maximum first keeps `exp` from overflowing for large logits; the result is
/// mathematically the same. The exponentials are taken over the whole batch in one pass of [`exp`],
/// which the compiler vectorises, instead of one library call per value.
pub fn softmax_columns(z: &mut [f32], rows: usize) {
    for column in z.chunks_exact_mut(rows) {
        let max = column.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        for v in column.iter_mut() {
            *v -= max;
        }
    }
    for v in z.iter_mut() {
        *v = exp(*v);
    }
    for column in z.chunks_exact_mut(rows) {
        let inv = 1.0 / column.iter().sum::<f32>();
        for v in column.iter_mut() {
            *v *= inv;
        }
    }
}

/// `eˣ` to within 2 units in the last place, branch-free so that a loop of it vectorises.
///
/// `eˣ = 2ᵏ · eʳ` with `k = round(x / ln 2)` and `r = x − k·ln 2` in `[−ln 2 / 2, ln 2 / 2]`, where a
/// degree-6 polynomial (Cephes' `expf` coefficients) gives `eʳ`; `2ᵏ` is built in the exponent bits.
/// Inputs are clamped to `[−87, 88]`, where `2ᵏ` stays a normal number: below, the result is about
/// 1.6e-38 instead of smaller; above, about 1.7e38 instead of infinite. NaN stays NaN.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    // ln 2 split in two: the first part has few enough bits that k · LN2_HI is exact.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding 1.5 · 2²³ rounds to an integer (to nearest) and leaves it in the low mantissa bits.
    const ROUNDER: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0); // NaN stays NaN
    let shifted = x * LOG2_E + ROUNDER;
    let k = shifted - ROUNDER;
    let r = x - k * LN2_HI - k * LN2_LO;
    let r2 = r * r;
    let p = ((((1.987_569_2e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1) * r
        + 0.5;
    let e_r = p * r2 + r + 1.0;
    let k = shifted.to_bits() as i32 - ROUNDER.to_bits() as i32;
    e_r * f32::from_bits(((k + 127) << 23) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_stable_for_huge_logits() {
        let mut z = [1000.0, 1001.0, 1002.0, -5.0, 0.0, 5.0];
        softmax_columns(&mut z, 3);
        let expected = [0.09003057, 0.24472847, 0.66524096, 4.5094e-5, 6.6925e-3, 0.99326237];
        for (got, want) in z.iter().zip(expected) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
        let mut nan = [f32::NAN, 1.0];
        softmax_columns(&mut nan, 2);
        assert!(nan.iter().all(|p| p.is_nan()), "a NaN logit is not hidden: {nan:?}");
    }

    #[test]
    fn exp_is_within_two_ulps_of_the_library() {
        let mut x = -87.0f32;
        let mut worst = 0.0f32;
        while x <= 88.0 {
            let (got, want) = (exp(x), x.exp());
            worst = worst.max(((got - want) / want).abs() / f32::EPSILON);
            x += 0.001_37;
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(f32::NAN).is_nan());
        assert!(exp(-1000.0) > 0.0 && exp(-1000.0) < 1e-37);
    }

    #[test]
    fn relu_and_its_derivative() {
        let z = [-1.0, 0.0, 2.5];
        let mut a = [9.0; 3];
        relu(&z, &mut a);
        assert_eq!(a, [0.0, 0.0, 2.5]);
        let mut d = [1.0, 1.0, 1.0];
        relu_backward(&z, &mut d);
        assert_eq!(d, [0.0, 0.0, 1.0]);
    }
}
