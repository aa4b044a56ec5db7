//! Four `f32` lanes as one value, for the convolution's direct kernels (`conv.rs`: the forward pass
//! and the weight gradient): WebAssembly's 128-bit SIMD where the build has it, plain arrays
//! elsewhere. Written out because the compiler left loops on `[f32; 4]` arrays scalar in
//! WebAssembly — a trial forward kernel so written had 32 `f32.mul` where 8 `f32x4.mul` were meant,
//! and took twice as long as im2col + gemm (Chromium's profiler). The kernels written on it are the
//! same code in both builds: the native reference tests run them (`ConvMethod::Direct`), and
//! `tests/conv.rs` also runs in the browser (`wasm-pack test`), where these lanes are WebAssembly's.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128, v128_load, v128_store};

    #[derive(Clone, Copy)]
    pub struct Quad(v128);

    impl Quad {
        #[inline(always)]
        pub fn splat(value: f32) -> Self {
            Quad(f32x4_splat(value))
        }
        /// The first four of `values`.
        #[inline(always)]
        pub fn load(values: &[f32]) -> Self {
            assert!(values.len() >= 4);
            // SAFETY: four values are there (the assert); v128_load has no alignment requirement.
            Quad(unsafe { v128_load(values.as_ptr().cast()) })
        }
        /// Into the first four of `values`.
        #[inline(always)]
        pub fn store(self, values: &mut [f32]) {
            assert!(values.len() >= 4);
            // SAFETY: four values are there (the assert); v128_store has no alignment requirement.
            unsafe { v128_store(values.as_mut_ptr().cast(), self.0) }
        }
        /// `self + a·b`, lane by lane (a multiply and an add: WebAssembly's SIMD has no fused one).
        #[inline(always)]
        pub fn mul_add(self, a: Quad, b: Quad) -> Self {
            Quad(f32x4_add(self.0, f32x4_mul(a.0, b.0)))
        }
        /// The four lanes added up.
        #[inline(always)]
        pub fn sum(self) -> f32 {
            (f32x4_extract_lane::<0>(self.0) + f32x4_extract_lane::<1>(self.0))
                + (f32x4_extract_lane::<2>(self.0) + f32x4_extract_lane::<3>(self.0))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    #[derive(Clone, Copy)]
    pub struct Quad([f32; 4]);

    impl Quad {
        #[inline(always)]
        pub fn splat(value: f32) -> Self {
            Quad([value; 4])
        }
        #[inline(always)]
        pub fn load(values: &[f32]) -> Self {
            Quad(values[..4].try_into().expect("four values"))
        }
        #[inline(always)]
        pub fn store(self, values: &mut [f32]) {
            values[..4].copy_from_slice(&self.0);
        }
        #[inline(always)]
        pub fn mul_add(self, a: Quad, b: Quad) -> Self {
            Quad(std::array::from_fn(|l| self.0[l] + a.0[l] * b.0[l]))
        }
        #[inline(always)]
        pub fn sum(self) -> f32 {
            (self.0[0] + self.0[1]) + (self.0[2] + self.0[3])
        }
    }
}

pub use lanes::Quad;
