//! Looking inside a network: the first layer's weights as pictures (a ConvNet's: its first
//! convolution's filters, and the feature maps of an input), every layer's activity for one input,
//! and the class probabilities of chosen examples of a data set; and into a run's last test
//! evaluation (`last_evaluation`). Every answer is bounded, so a call stays small.

use crate::batch::InputBatch;
use crate::error::{Error, Result};
use crate::metrics::top_k;
use crate::dataset::Dataset;
use crate::layer::MapLayer;
use crate::network::{Mlp, Workspace};
use serde::Serialize;

mod last_evaluation;

pub use last_evaluation::{Confusion, LastEvaluation, Ranked, TestExample, MAX_EXAMPLES};

/// Most units one [`weight_images`] call returns (256 × 784 floats = 800 kB).
pub const MAX_WEIGHT_IMAGES: usize = 256;
/// Most units per layer [`activity`] names as the strongest.
pub const MAX_STRONGEST: usize = 64;

/// Units `first..first + count` (at most [`MAX_WEIGHT_IMAGES`]) of the first weight layer as
/// pictures: unit `o`'s incoming weights
/// `W¹[o, i]` for every input `i` (a 28×28 image, row by row), divided by that unit's largest
/// `|W¹[o, i]|` so that each picture spans [−1, 1] whatever its scale. Returns the values unit after
/// unit (fewer units if the layer ends first) and the number of units.
///
/// Scaling per unit shows the pattern every unit looks for, including the ones with small weights;
/// a shared scale would leave those blank.
pub fn weight_images(net: &Mlp, first: usize, count: usize) -> Result<(Vec<f32>, usize)> {
    let layer = &net.layers[0];
    let (units, inputs) = (layer.outputs(), layer.inputs());
    if first >= units {
        return Err(Error::Input(format!("unit {first} does not exist (the first layer has {units} units)")));
    }
    let end = first.saturating_add(count.min(MAX_WEIGHT_IMAGES)).min(units);
    // Column-major outputs × inputs: W¹[o, i] is at i·units + o.
    let w = layer.weights.as_slice();
    let mut images = Vec::with_capacity((end - first) * inputs);
    for o in first..end {
        let largest = (0..inputs).map(|i| w[i * units + o].abs()).fold(0.0f32, f32::max);
        let scale = if largest > 0.0 && largest.is_finite() { 1.0 / largest } else { 0.0 };
        images.extend((0..inputs).map(|i| w[i * units + o] * scale));
    }
    Ok((images, end - first))
}

/// A ConvNet's first convolution's filters as pictures: filter after filter, each channel after
/// channel, row by row (shapes: [`map_layers`]), each filter divided by its largest |weight| so that
/// it spans [−1, 1] (as [`weight_images`] scales a unit). An error for an MLP, which has none.
pub fn filters(net: &Mlp) -> Result<Vec<f32>> {
    let Some(MapLayer::Conv(conv)) = net.maps.iter().find(|l| matches!(l, MapLayer::Conv(_))) else {
        return Err(Error::Input("this network has no convolution (it is an MLP)".into()));
    };
    // Column o of the K × C_out weights is filter o, its taps in (channel, row, column) order.
    let taps = conv.weights.nrows();
    let mut values = Vec::with_capacity(conv.weights.len());
    for filter in conv.weights.as_slice().chunks_exact(taps) {
        let largest = filter.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        values.extend(scaled_by(filter, largest));
    }
    Ok(values)
}

/// Every feature-map layer, six numbers each: kind (0 a convolution, 1 2×2 pooling), input
/// channels, and its output's channels, height and width, and its kernel size (0 for pooling).
pub fn map_layers(net: &Mlp) -> Vec<u32> {
    net.maps
        .iter()
        .flat_map(|layer| {
            let (input, output) = (layer.input(), layer.output());
            let (kind, kernel) = match layer {
                MapLayer::Conv(c) => (0, c.kernel),
                MapLayer::MaxPool(_) => (1, 0),
            };
            [kind, input.channels, output.channels, output.height, output.width, kernel].map(|n| n as u32)
        })
        .collect()
}

/// Every feature-map layer's output for one input of `net.inputs()` values, first layer first, in
/// the shapes of [`map_layers`] (empty for an MLP): channel after channel, row by row, each layer
/// divided by its largest value (all ≥ 0 after a ReLU), so a layer's maps share one scale and a weak
/// map looks weak.
pub fn feature_maps(net: &Mlp, pixels: &[f32]) -> Result<Vec<f32>> {
    let mut input = InputBatch::with_capacity(net.inputs(), 1);
    let mut ws = Workspace::default();
    crate::trainer::predict(net, pixels, &mut input, &mut ws)?;
    let mut maps = Vec::new();
    for (layer, buffers) in net.maps.iter().zip(&ws.maps) {
        let values = &buffers.a[..layer.output().len()];
        maps.extend(scaled_by(values, values.iter().fold(0.0f32, |m, v| m.max(*v))));
    }
    Ok(maps)
}

/// `values` divided by `largest` (a size, ≥ 0): all zeros when it is 0 or not finite.
fn scaled_by(values: &[f32], largest: f32) -> impl Iterator<Item = f32> + '_ {
    let scale = if largest > 0.0 && largest.is_finite() { 1.0 / largest } else { 0.0 };
    values.iter().map(move |v| v * scale)
}

/// One layer's response to one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerActivity {
    /// `Aˡ`: ReLU outputs for a hidden layer, the softmax probabilities for the output layer.
    pub values: Vec<f32>,
    /// The values on a 0…1 scale for display: a hidden layer's divided by its largest value (0 when
    /// none is active), the output layer's probabilities as they are.
    pub strength: Vec<f32>,
    /// Units with a value above 0.
    pub active: usize,
    /// The `strongest` most active units, most active first.
    pub strongest: Vec<u32>,
    pub output: bool,
}

/// Every layer's activity for one input of `net.inputs()` values, first hidden layer first and the
/// output layer last; each layer names its `strongest` (at most [`MAX_STRONGEST`]) most active units.
pub fn activity(net: &Mlp, pixels: &[f32], strongest: usize) -> Result<Vec<LayerActivity>> {
    let mut input = InputBatch::with_capacity(net.inputs(), 1);
    let mut ws = Workspace::default();
    crate::trainer::predict(net, pixels, &mut input, &mut ws)?;
    let last = net.layers.len() - 1;
    Ok(net
        .layers
        .iter()
        .enumerate()
        .map(|(l, layer)| {
            let values = ws.a[l][..layer.outputs()].to_vec();
            let output = l == last;
            let largest = values.iter().copied().fold(0.0f32, f32::max);
            let strength = if output {
                values.clone()
            } else if largest > 0.0 && largest.is_finite() {
                values.iter().map(|v| v / largest).collect()
            } else {
                vec![0.0; values.len()]
            };
            let active = values.iter().filter(|&&v| v > 0.0).count();
            let strongest = top_k(&values, strongest.min(MAX_STRONGEST).min(active)).into_iter().map(|(i, _)| i as u32).collect();
            LayerActivity { values, strength, active, strongest, output }
        })
        .collect())
}

/// Class probabilities of `data`'s images at `indices`, one `Vec` per image, computed in one batch
/// the way an evaluation computes them (same scaling of the bytes, same forward pass).
pub fn probabilities_of(net: &Mlp, data: &Dataset, indices: &[u32]) -> Result<Vec<Vec<f32>>> {
    for &i in indices {
        data.check_index(i as usize, "example")?;
    }
    if indices.is_empty() {
        return Ok(Vec::new());
    }
    let mut input = InputBatch::with_capacity(net.inputs(), indices.len());
    for &i in indices {
        let image = data.image(i as usize);
        if image.len() != net.inputs() {
            return Err(Error::Input(format!("images of {} pixels do not fit a network of {} inputs", image.len(), net.inputs())));
        }
        input.push_bytes(image);
    }
    let mut ws = Workspace::default();
    net.forward(&input, &mut ws);
    Ok(net.probabilities(&ws, indices.len()).chunks_exact(net.outputs()).map(<[f32]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mnist::{Images, IMAGE_PIXELS};
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn net(sizes: &[usize]) -> Mlp {
        Mlp::new(sizes, &mut Pcg64Mcg::seed_from_u64(3)).unwrap()
    }

    #[test]
    fn weight_images_are_each_units_incoming_weights_scaled_to_its_largest() {
        let mut mlp = net(&[4, 3, 2]);
        // W¹ (3 × 4), row o = unit o's weights from inputs 0…3.
        let rows = [[1.0, -2.0, 0.5, 0.0], [0.0, 0.0, 0.0, 0.0], [-0.25, 0.1, 0.2, 0.05]];
        for (o, row) in rows.iter().enumerate() {
            for (i, &v) in row.iter().enumerate() {
                mlp.layers[0].weights[(o, i)] = v;
            }
        }
        let (images, units) = weight_images(&mlp, 0, 10).unwrap();
        assert_eq!(units, 3, "the layer's 3 units, however many were asked for");
        assert_eq!(images, vec![0.5, -1.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.4, 0.8, 0.2]);
        let (images, units) = weight_images(&mlp, 2, 1).unwrap();
        assert_eq!((units, images), (1, vec![-1.0, 0.4, 0.8, 0.2]));
        let e = weight_images(&mlp, 3, 1).unwrap_err();
        assert!(e.to_string().contains("unit 3 does not exist (the first layer has 3 units)"), "{e}");
    }

    #[test]
    fn a_network_without_hidden_layers_shows_its_output_units() {
        let (images, units) = weight_images(&net(&[IMAGE_PIXELS, 10]), 0, 256).unwrap();
        assert_eq!((units, images.len()), (10, 10 * IMAGE_PIXELS));
        assert!(images.iter().all(|v| (-1.0..=1.0).contains(v)));
    }

    #[test]
    fn activity_follows_the_forward_pass_to_the_probabilities() {
        let mlp = net(&[6, 5, 4, 3]);
        let pixels = [0.9, 0.0, 0.3, 1.0, 0.2, 0.7];
        let layers = activity(&mlp, &pixels, 2).unwrap();
        assert_eq!(layers.iter().map(|l| l.values.len()).collect::<Vec<_>>(), vec![5, 4, 3]);
        assert_eq!(layers.iter().map(|l| l.output).collect::<Vec<_>>(), vec![false, false, true]);

        // Layer 1 by hand: ReLU(W¹x + b¹).
        let w = &mlp.layers[0].weights;
        for (o, &a) in layers[0].values.iter().enumerate() {
            let z: f32 = mlp.layers[0].biases[o] + (0..6).map(|i| w[(o, i)] * pixels[i]).sum::<f32>();
            assert!((a - z.max(0.0)).abs() < 1e-5, "unit {o}: {a} vs ReLU({z})");
        }
        let probabilities = crate::trainer::predict(
            &mlp,
            &pixels,
            &mut InputBatch::with_capacity(6, 1),
            &mut Workspace::default(),
        )
        .unwrap();
        assert_eq!(layers[2].values, probabilities);
        assert_eq!(layers[2].strength, probabilities, "the output's strength is its probability");

        for layer in &layers[..2] {
            let largest = layer.values.iter().copied().fold(0.0, f32::max);
            assert_eq!(layer.active, layer.values.iter().filter(|&&v| v > 0.0).count());
            assert!(layer.strongest.len() <= 2 && layer.strongest.len() <= layer.active);
            if let Some(&top) = layer.strongest.first() {
                assert_eq!(layer.values[top as usize], largest);
                assert_eq!(layer.strength[top as usize], 1.0);
            }
            assert!(layer.strength.iter().all(|s| (0.0..=1.0).contains(s)));
        }
    }

    #[test]
    fn answers_are_bounded() {
        let mlp = net(&[6, 300, 3]);
        let (images, units) = weight_images(&mlp, 0, 1_000).unwrap();
        assert_eq!((units, images.len()), (MAX_WEIGHT_IMAGES, MAX_WEIGHT_IMAGES * 6), "at most 256 units per call");
        let (_, rest) = weight_images(&mlp, 256, 1_000).unwrap();
        assert_eq!(rest, 44, "the rest from unit 256 on");
        let layers = activity(&mlp, &[1.0; 6], 1_000).unwrap();
        assert!(layers[0].active > MAX_STRONGEST, "{} units active", layers[0].active);
        assert_eq!(layers[0].strongest.len(), MAX_STRONGEST, "at most 64 strongest units");
    }

    #[test]
    fn activity_of_a_bad_input_is_an_error() {
        let mlp = net(&[6, 5, 3]);
        assert!(activity(&mlp, &[0.0; 5], 3).unwrap_err().to_string().contains("expected 6 pixel values"));
        assert!(activity(&mlp, &[f32::NAN; 6], 3).is_err());
    }

    #[test]
    fn probabilities_of_examples_match_predicting_them_one_by_one() {
        let mut pixels = vec![0u8; 3 * IMAGE_PIXELS];
        for (k, p) in pixels.iter_mut().enumerate() {
            *p = ((k * 37) % 7 * 40) as u8;
        }
        let images = Images { count: 3, rows: 28, cols: 28, pixels };
        let data = Dataset::new(images, vec![1, 2, 3]).unwrap();
        let mlp = net(&[IMAGE_PIXELS, 8, 10]);
        let batch = probabilities_of(&mlp, &data, &[2, 0]).unwrap();
        assert_eq!(batch.len(), 2);
        for (row, &i) in batch.iter().zip(&[2usize, 0]) {
            let floats = crate::pixel::pixel_values(data.image(i));
            let one = crate::trainer::predict(&mlp, &floats, &mut InputBatch::with_capacity(IMAGE_PIXELS, 1), &mut Workspace::default())
                .unwrap();
            for (a, b) in row.iter().zip(&one) {
                assert!((a - b).abs() < 1e-6);
            }
        }
        let e = probabilities_of(&mlp, &data, &[0, 3]).unwrap_err();
        assert!(e.to_string().contains("example 3 does not exist (the data set has 3)"), "{e}");
        assert!(probabilities_of(&mlp, &data, &[]).unwrap().is_empty());
    }
}
