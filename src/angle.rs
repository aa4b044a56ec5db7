//! Sine and cosine of the angles the trainer turns by: an augmentation's rotation and its 1's flag
//! (a few degrees) and the cosine schedule's π·t (0 to π). Natively they are the platform's. In
//! WebAssembly there is no platform to ask, and libm's `sinf`/`cosf` bring range reduction for
//! arguments up to 10³⁸ (`rem_pio2_large`, tables and all: about 2 KB of the file's gzipped
//! budget) for arguments that never leave ±π, so WebAssembly builds use [`sin_cos_small`].

/// `(sin θ, cos θ)`.
pub fn sin_cos(angle: f32) -> (f32, f32) {
    if cfg!(target_arch = "wasm32") {
        sin_cos_small(angle)
    } else {
        angle.sin_cos()
    }
}

/// `(sin θ, cos θ)` from Taylor series in `f64`, after taking out the nearest multiple of π/2:
/// the remainder r is within ±π/4, where the series' terms up to r¹³ leave an error under 1e-13 —
/// far below an `f32`'s last digit, so the results are the correctly rounded ones but for rare ties
/// (the tests compare with the platform's). Meant for |θ| up to a few thousand radians; beyond,
/// the f64 remainder loses the digits the platform's range reduction keeps.
pub fn sin_cos_small(angle: f32) -> (f32, f32) {
    let angle = f64::from(angle);
    let quarter_turns = (angle / std::f64::consts::FRAC_PI_2).round();
    let r = angle - quarter_turns * std::f64::consts::FRAC_PI_2;
    let r2 = r * r;
    // Horner form of r − r³/3! + … − r¹³/13! and 1 − r²/2! + … + r¹²/12!.
    let (mut sin, mut cos) = (1.0, 1.0);
    for n in (1..=6).rev() {
        let n = f64::from(n);
        sin = 1.0 - r2 / ((2.0 * n) * (2.0 * n + 1.0)) * sin;
        cos = 1.0 - r2 / ((2.0 * n - 1.0) * (2.0 * n)) * cos;
    }
    let (sin, cos) = (r * sin, cos);
    // Turning by a quarter turn maps (sin, cos) to (cos, −sin).
    let (sin, cos) = match (quarter_turns as i64).rem_euclid(4) {
        0 => (sin, cos),
        1 => (cos, -sin),
        2 => (-sin, -cos),
        _ => (-cos, sin),
    };
    (sin as f32, cos as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_series_agrees_with_the_platform_over_every_angle_the_trainer_uses() {
        let mut worst = 0.0f32;
        for i in -200_000..=200_000 {
            // −4π to 4π: rotations, flags and the schedule stay within ±π.
            let angle = i as f32 * (4.0 * std::f32::consts::PI / 200_000.0);
            let (sin, cos) = sin_cos_small(angle);
            let (want_sin, want_cos) = angle.sin_cos();
            worst = worst.max((sin - want_sin).abs()).max((cos - want_cos).abs());
        }
        // The platform's f32 functions may be 1 ulp off themselves; 1 ulp of 1 is 1.2e-7.
        assert!(worst <= 1.2e-7, "worst difference {worst}");
    }

    #[test]
    fn quarter_turns_land_on_the_axes() {
        for (angle, want) in [(0.0f32, (0.0, 1.0)), (std::f32::consts::FRAC_PI_2, (1.0, 0.0)), (std::f32::consts::PI, (0.0, -1.0))] {
            let (sin, cos) = sin_cos_small(angle);
            assert!((sin - want.0).abs() < 1e-7 && (cos - want.1).abs() < 1e-7, "{angle}: {sin}, {cos}");
        }
        assert_eq!(sin_cos_small(-0.3), (-sin_cos_small(0.3).0, sin_cos_small(0.3).1));
    }
}
