//! Activation functions, applied in place to a batch (one example per column).

use nalgebra::DMatrixViewMut;

/// `A = max(Z, 0)`, elementwise.
pub fn relu(z: &[f32], a: &mut [f32]) {
    for (a, &z) in a.iter_mut().zip(z) {
        *a = z.max(0.0);
    }
}

/// `dZ ⊙= ReLU′(Z)`: keeps the gradient where `Z > 0`, zeroes it elsewhere.
///
/// ReLU′(0) is taken as 0, as in the original NumPy project (`Z > 0`).
pub fn relu_backward(z: &[f32], dz: &mut [f32]) {
    for (d, &z) in dz.iter_mut().zip(z) {
        if z <= 0.0 {
            *d = 0.0;
        }
    }
}

/// Column-wise softmax, in place: each column becomes `exp(z - max z) / Σ exp(z - max z)`.
///
/// Subtracting the column maximum first keeps `exp` from overflowing for large logits; the result is
/// mathematically the same.
pub fn softmax_columns(mut z: DMatrixViewMut<f32>) {
    for mut column in z.column_iter_mut() {
        let max = column.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for v in column.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        let inv = 1.0 / sum;
        for v in column.iter_mut() {
            *v *= inv;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn softmax_is_stable_for_huge_logits() {
        let mut z = DMatrix::from_column_slice(3, 1, &[1000.0, 1001.0, 1002.0]);
        softmax_columns(z.as_view_mut());
        let expected = [0.09003057, 0.24472847, 0.66524096];
        for (got, want) in z.iter().zip(expected) {
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
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
