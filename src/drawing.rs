//! Reading a drawing: the pad's pixels prepared the MNIST way ([`crate::preprocess`]), classified,
//! and whether the network is sure of its answer.

use crate::batch::InputBatch;
use crate::error::Result;
use crate::network::{argmax, Mlp, Workspace};
use crate::preprocess;
use crate::trainer::predict;
use serde::Serialize;

/// Below this top probability a drawing's answer counts as "not sure": under one half, the network
/// itself rates "some other digit" as more likely than its own answer. (Label smoothing 0.1 caps a
/// clear answer at about 0.9, so a higher bar would call many good answers unsure.)
pub const CONFIDENT_PROBABILITY: f32 = 0.5;

/// What the network reads in a drawing.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reading {
    /// No ink on the pad: nothing to classify.
    pub empty: bool,
    pub digit: Option<u8>,
    pub probabilities: Vec<f32>,
    /// The top probability is at least [`CONFIDENT_PROBABILITY`]; otherwise the page says "not sure".
    pub confident: bool,
    /// What the network sees: 28×28 values in [0, 1], row by row.
    pub preview: Vec<f32>,
}

/// Reads a drawing given as a canvas' RGBA pixels, `width` × `height`. An empty pad reads as
/// `empty`, with no digit.
pub fn read_drawing(net: &Mlp, rgba: &[u8], width: usize, height: usize) -> Result<Reading> {
    let Some(prepared) = preprocess::prepare_rgba(rgba, width, height)? else {
        return Ok(Reading { empty: true, digit: None, probabilities: Vec::new(), confident: false, preview: Vec::new() });
    };
    let mut input = InputBatch::with_capacity(net.inputs(), 1);
    let probabilities = predict(net, &prepared.pixels, &mut input, &mut Workspace::default())?;
    let digit = argmax(&probabilities);
    Ok(Reading {
        empty: false,
        digit: Some(digit as u8),
        confident: probabilities[digit] >= CONFIDENT_PROBABILITY,
        probabilities,
        preview: prepared.pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mnist::{IMAGE_PIXELS, IMAGE_SIDE};
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    /// A white canvas of `side` × `side` pixels with a black bar from `(x0, y0)` to `(x1, y1)`.
    fn canvas(side: usize, [x0, y0, x1, y1]: [usize; 4]) -> Vec<u8> {
        let mut rgba = vec![255u8; side * side * 4];
        for y in y0..y1 {
            for x in x0..x1 {
                rgba[(y * side + x) * 4..][..3].fill(0);
            }
        }
        rgba
    }

    #[test]
    fn a_drawing_reads_as_the_networks_answer_for_its_preview() {
        let net = Mlp::new(&[IMAGE_PIXELS, 8, 10], &mut Pcg64Mcg::seed_from_u64(2)).unwrap();
        let rgba = canvas(56, [20, 8, 30, 48]);
        let reading = read_drawing(&net, &rgba, 56, 56).unwrap();
        assert!(!reading.empty);
        assert_eq!(reading.preview.len(), IMAGE_SIDE * IMAGE_SIDE);
        assert_eq!(reading.preview, preprocess::prepare_rgba(&rgba, 56, 56).unwrap().unwrap().pixels);
        let probabilities = predict(&net, &reading.preview, &mut InputBatch::with_capacity(IMAGE_PIXELS, 1), &mut Workspace::default()).unwrap();
        assert_eq!(reading.probabilities, probabilities);
        let digit = argmax(&probabilities);
        assert_eq!(reading.digit, Some(digit as u8));
        assert_eq!(reading.confident, probabilities[digit] >= 0.5);
    }

    #[test]
    fn sure_means_a_top_probability_of_at_least_one_half() {
        // A network without hidden layers whose output biases alone decide: the input is ignored.
        let mut net = Mlp::new(&[IMAGE_PIXELS, 10], &mut Pcg64Mcg::seed_from_u64(2)).unwrap();
        net.layers[0].weights.fill(0.0);
        let rgba = canvas(28, [10, 4, 14, 24]);
        // Logit 0 for nine classes and ln(9·p/(1−p)) for class 3 give class 3 probability p.
        for (p, sure) in [(0.49f32, false), (0.51, true), (0.9, true)] {
            net.layers[0].biases.fill(0.0);
            net.layers[0].biases[3] = (9.0 * p / (1.0 - p)).ln();
            let reading = read_drawing(&net, &rgba, 28, 28).unwrap();
            assert_eq!(reading.digit, Some(3));
            assert!((reading.probabilities[3] - p).abs() < 1e-5, "{reading:?}");
            assert_eq!(reading.confident, sure, "top probability {p}");
        }
    }

    #[test]
    fn an_empty_pad_reads_as_nothing_and_bad_sizes_are_errors() {
        let net = Mlp::new(&[IMAGE_PIXELS, 10], &mut Pcg64Mcg::seed_from_u64(2)).unwrap();
        let empty = read_drawing(&net, &vec![255u8; 28 * 28 * 4], 28, 28).unwrap();
        assert_eq!((empty.empty, empty.digit, empty.confident), (true, None, false));
        assert!(empty.probabilities.is_empty() && empty.preview.is_empty());
        let e = read_drawing(&net, &[0u8; 12], 28, 28).unwrap_err();
        assert!(e.to_string().starts_with("input: "), "{e}");
    }
}
