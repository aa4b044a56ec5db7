//! The sparse first-layer products for a layer of any width (the default network's 128-unit hidden
//! layer; in WebAssembly also every narrow width but 9–12, see `narrow::takes`).
//!
//! - forward, example by example: the outputs are taken in [`Block`]s of 16, 8 and 4 held in
//!   registers while all of the example's non-zero inputs are added in, so each weight is loaded
//!   once and `Z` is written once per block — rather than reading and writing `Z` for every input;
//! - weight gradient of a batch: the non-zeros are grouped by input first ([`ByInput`]), so that
//!   each column of `dW` is loaded and stored once per batch, its blocks summed in registers.
//!
//! `W` is outputs × inputs, column-major: the weights leaving input `i` are one contiguous column.

use crate::batch::{ByInput, InputBatch};

/// `Z = W·X + b` over each example's non-zero inputs, for an outputs × inputs column-major `w`;
/// `z` gets outputs × m values (column `j` is `b + Σ_{i: x_ij ≠ 0} x_ij · W[:, i]`).
pub fn forward(w: &[f32], b: &[f32], x: &InputBatch, z: &mut [f32]) {
    let outputs = b.len();
    for (j, z_column) in z[..outputs * x.len()].chunks_exact_mut(outputs).enumerate() {
        let (indices, values) = x.nonzeros(j);
        for block in blocks(outputs) {
            match block {
                Block::Of16(o) => dot_block::<16>(w, outputs, o, indices, values, b, z_column),
                Block::Of8(o) => dot_block::<8>(w, outputs, o, indices, values, b, z_column),
                Block::Of4(o) => dot_block::<4>(w, outputs, o, indices, values, b, z_column),
                // The last 1–3 outputs: recompute a block of 4 ending at the last output. The
                // overlap is written again with the same values.
                Block::Rest(_) if outputs >= 4 => dot_block::<4>(w, outputs, outputs - 4, indices, values, b, z_column),
                // A layer of 1–3 outputs (which only WebAssembly sends here).
                Block::Rest(o) => {
                    for o in o..outputs {
                        let mut acc = b[o];
                        for (&i, &v) in indices.iter().zip(values) {
                            acc += v * w[i as usize * outputs + o];
                        }
                        z_column[o] = acc;
                    }
                }
            }
        }
    }
}

/// `dW += scale · dZ·Xᵀ` over the non-zero inputs, `dW[:, i] += scale · Σ_j x_ij · dZ[:, j]`, for an
/// outputs × inputs column-major `grads`; `by_input` is scratch for `x` grouped by input.
pub fn accumulate_grads(grads: &mut [f32], dz: &[f32], x: &InputBatch, scale: f32, by_input: &mut ByInput, outputs: usize) {
    by_input.build(x);
    for i in 0..by_input.inputs() {
        let (examples, values) = by_input.entries(i);
        if examples.is_empty() {
            continue;
        }
        let column = &mut grads[i * outputs..(i + 1) * outputs];
        for block in blocks(outputs) {
            match block {
                Block::Of16(o) => grad_block::<16>(dz, outputs, o, examples, values, scale, column),
                Block::Of8(o) => grad_block::<8>(dz, outputs, o, examples, values, scale, column),
                Block::Of4(o) => grad_block::<4>(dz, outputs, o, examples, values, scale, column),
                // The last 1–3 outputs: a block of 4 ending at the last output, of which only the
                // outputs not yet done are added.
                Block::Rest(o) if outputs >= 4 => grad_block_tail(dz, outputs, o, examples, values, scale, column),
                // A layer of 1–3 outputs (which only WebAssembly sends here).
                Block::Rest(o) => {
                    for o in o..outputs {
                        let mut acc = 0.0;
                        for (&j, &v) in examples.iter().zip(values) {
                            acc += v * dz[j as usize * outputs + o];
                        }
                        column[o] += scale * acc;
                    }
                }
            }
        }
    }
}

/// A layer's outputs as the register-blocked kernels take them: blocks of 16 starting at output 0,
/// then at most one of 8 and one of 4, then `Rest` — the last 1–3 outputs — if any. The forward
/// pass and the weight gradient walk the same blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Block {
    Of16(usize),
    Of8(usize),
    Of4(usize),
    Rest(usize),
}

/// The [`Block`]s of `outputs` outputs, in order (each holds its first output).
fn blocks(outputs: usize) -> impl Iterator<Item = Block> {
    let mut o = 0;
    std::iter::from_fn(move || {
        let (block, width) = match outputs - o {
            0 => return None,
            16.. => (Block::Of16(o), 16),
            8.. => (Block::Of8(o), 8),
            4.. => (Block::Of4(o), 4),
            left => (Block::Rest(o), left),
        };
        o += width;
        Some(block)
    })
}

/// `z[o..o+B] = b[o..o+B] + Σ_k v_k · W[o..o+B, i_k]`, the accumulator kept in registers.
#[inline(always)]
fn dot_block<const B: usize>(w: &[f32], outputs: usize, o: usize, indices: &[u32], values: &[f32], b: &[f32], z: &mut [f32]) {
    let mut acc: [f32; B] = b[o..o + B].try_into().expect("a block of B");
    for (&i, &v) in indices.iter().zip(values) {
        let start = i as usize * outputs + o;
        let w: &[f32; B] = w[start..start + B].try_into().expect("a block of B");
        for k in 0..B {
            acc[k] += v * w[k];
        }
    }
    z[o..o + B].copy_from_slice(&acc);
}

/// `column[o..o+B] += scale · Σ_k v_k · dZ[o..o+B, j_k]`, the accumulator kept in registers.
#[inline(always)]
fn grad_block<const B: usize>(
    dz: &[f32],
    outputs: usize,
    o: usize,
    examples: &[u32],
    values: &[f32],
    scale: f32,
    column: &mut [f32],
) {
    let mut acc = [0.0f32; B];
    for (&j, &v) in examples.iter().zip(values) {
        let start = j as usize * outputs + o;
        let d: &[f32; B] = dz[start..start + B].try_into().expect("a block of B");
        for k in 0..B {
            acc[k] += v * d[k];
        }
    }
    for (c, a) in column[o..o + B].iter_mut().zip(acc) {
        *c += scale * a;
    }
}

/// [`grad_block`] for outputs `o..outputs` (fewer than 4), computed as the block of 4 that ends at
/// the last output.
#[inline(always)]
fn grad_block_tail(dz: &[f32], outputs: usize, o: usize, examples: &[u32], values: &[f32], scale: f32, column: &mut [f32]) {
    let first = outputs - 4;
    let mut acc = [0.0f32; 4];
    for (&j, &v) in examples.iter().zip(values) {
        let start = j as usize * outputs + first;
        let d: &[f32; 4] = dz[start..start + 4].try_into().expect("a block of 4");
        for k in 0..4 {
            acc[k] += v * d[k];
        }
    }
    for k in (o - first)..4 {
        column[first + k] += scale * acc[k];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_every_output_once_widest_first() {
        use Block::*;
        assert_eq!(blocks(0).count(), 0);
        assert_eq!(blocks(3).collect::<Vec<_>>(), [Rest(0)]);
        assert_eq!(blocks(13).collect::<Vec<_>>(), [Of8(0), Of4(8), Rest(12)]);
        assert_eq!(blocks(128).collect::<Vec<_>>(), (0..8).map(|k| Of16(16 * k)).collect::<Vec<_>>());
        assert_eq!(blocks(46).collect::<Vec<_>>(), [Of16(0), Of16(16), Of8(32), Of4(40), Rest(44)]);
    }
}
