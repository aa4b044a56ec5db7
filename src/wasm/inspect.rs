//! The "Look inside" panel's calls: first-layer weights as pictures, layer activity for a drawing,
//! the confusion matrix of the last test evaluation, and chosen test images with the evaluated
//! network's answers. The core ([`crate::inspect`]) checks the arguments and bounds every result;
//! bad indices are JavaScript exceptions.

use super::{js_error, to_js, Session};
use crate::inspect::{self, LastEvaluation};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Session {
    /// Up to `count` (at most 256) units of the first weight layer from unit `first` on, as 28×28
    /// pictures one after another (784 values each, row by row), each unit scaled to [−1, 1] by its
    /// largest |weight|: positive weights mean ink there raises the unit's activity. The first layer
    /// is the output layer when there are no hidden layers.
    #[wasm_bindgen(js_name = weightImages)]
    pub fn weight_images(&self, first: u32, count: u32) -> Result<Vec<f32>, JsError> {
        let (images, _) = inspect::weight_images(self.trainer.network(), first as usize, count as usize).map_err(js_error)?;
        Ok(images)
    }

    /// A ConvNet's feature-map layers, six numbers each: kind (0 a convolution, 1 2×2 pooling),
    /// input channels, output channels, height, width and kernel size (0 for pooling) of its output.
    /// Empty for an MLP. (Plain numbers rather than objects: each serialised type costs the wasm
    /// file a kilobyte or more.)
    #[wasm_bindgen(js_name = mapLayers)]
    pub fn map_layers(&self) -> Vec<u32> {
        inspect::map_layers(self.trainer.network())
    }

    /// The first convolution's filters one after another (in channels × kernel × kernel each, row by
    /// row), each scaled to [−1, 1] by its largest |weight|; an exception for an MLP.
    pub fn filters(&self) -> Result<Vec<f32>, JsError> {
        inspect::filters(self.trainer.network()).map_err(js_error)
    }

    /// Every feature-map layer's output for 784 pixel values (a drawing's `preview`), layer after
    /// layer in the shapes of `mapLayers`, each layer scaled to [0, 1] by its largest value; empty for
    /// an MLP.
    #[wasm_bindgen(js_name = featureMaps)]
    pub fn feature_maps(&self, pixels: &[f32]) -> Result<Vec<f32>, JsError> {
        inspect::feature_maps(self.trainer.network(), pixels).map_err(js_error)
    }

    /// Every layer's activity for 784 pixel values in [0, 1] (a drawing's `preview`), first hidden
    /// layer first, output last: `[{values, strength, active, strongest, output}]`, where `strength`
    /// is in [0, 1] for display and `strongest` lists up to `strongest` (at most 64) most active units.
    pub fn activations(&self, pixels: &[f32], strongest: u32) -> Result<JsValue, JsError> {
        to_js(&inspect::activity(self.trainer.network(), pixels, strongest as usize).map_err(js_error)?)
    }

    /// The confusion matrix of the last full test evaluation, or `null` before there is one:
    /// `{classes, counts, fractions, perDigitAccuracy, examples, correct, accuracy, atExamples}` with
    /// `counts[actual * 10 + predicted]`.
    #[wasm_bindgen(js_name = confusionMatrix)]
    pub fn confusion_matrix(&self) -> Result<JsValue, JsError> {
        match LastEvaluation::latest(&self.trainer).map_err(js_error)? {
            Some(last) => to_js(&last.confusion().map_err(js_error)?),
            None => Ok(JsValue::NULL),
        }
    }

    /// Indices of up to `limit` (at most 256) test images of digit `actual` that the last evaluation
    /// read as `predicted`, in test-set order.
    #[wasm_bindgen(js_name = cellExamples)]
    pub fn cell_examples(&self, actual: u32, predicted: u32, limit: u32) -> Result<Vec<u32>, JsError> {
        let last = LastEvaluation::of(&self.trainer).map_err(js_error)?;
        last.cell_examples(actual as usize, predicted as usize, limit as usize).map_err(js_error)
    }

    /// Indices of up to `limit` (at most 256) test images the last evaluation got wrong, taken from
    /// the digits in turn (a wrong 0, a wrong 1, …, then a second wrong 0, …).
    #[wasm_bindgen(js_name = misclassifiedExamples)]
    pub fn misclassified_examples(&self, limit: u32) -> Result<Vec<u32>, JsError> {
        Ok(LastEvaluation::of(&self.trainer).map_err(js_error)?.misclassified_examples(limit as usize))
    }

    /// Test images by index (at most 256 per call) with their label, the last evaluation's answer,
    /// and the `top` (at most 10) most likely digits of the network that evaluation measured:
    /// `[{index, label, predicted, pixels, top: [{digit, probability}]}]`.
    #[wasm_bindgen(js_name = testExamples)]
    pub fn test_examples(&self, indices: &[u32], top: u32) -> Result<JsValue, JsError> {
        let last = LastEvaluation::of(&self.trainer).map_err(js_error)?;
        to_js(&last.test_examples(indices, top as usize).map_err(js_error)?)
    }
}
