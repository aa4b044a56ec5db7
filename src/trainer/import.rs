//! Weights from elsewhere: an imported model replaces the network and Your digits, or one layer's
//! parameters are overwritten (to start two implementations from the same weights).

use super::taught::check_count;
use super::Trainer;
use crate::architecture::{Architecture, MNIST_INPUT};
use crate::error::{Error, Result};
use crate::mnist::{CLASSES, IMAGE_PIXELS};
use crate::model_file::Model;
use crate::network::Mlp;

impl Trainer {
    /// Overwrites one layer's weights (outputs × inputs, column-major) and biases, keeping the
    /// optimiser's state. On an error nothing changes.
    pub fn set_layer_parameters(&mut self, layer: usize, weights: &[f32], biases: &[f32]) -> Result<()> {
        let dense = self.net.layer_mut(layer)?;
        if weights.len() != dense.weights.len() || biases.len() != dense.biases.len() {
            return Err(Error::Input(format!(
                "layer {layer} takes {} weights and {} biases, got {} and {}",
                dense.weights.len(),
                dense.biases.len(),
                weights.len(),
                biases.len()
            )));
        }
        if weights.iter().chain(biases).any(|v| !v.is_finite()) {
            return Err(Error::Input("weights and biases must be finite numbers".into()));
        }
        dense.weights.as_mut_slice().copy_from_slice(weights);
        dense.biases.as_mut_slice().copy_from_slice(biases);
        self.evaluations.pending = None;
        self.rollback.forget_checkpoint();
        Ok(())
    }

    /// Replaces the network and Your digits with a model file's (`model_file::load_taught`) and
    /// returns its description. Everything is checked before anything changes: on an error the
    /// network, its optimiser and Your digits are kept as they were.
    pub fn import_model(&mut self, model: Model) -> Result<String> {
        check_network(&model.net)?;
        check_count(model.digits.len())?;
        // Both checked: now both are replaced (replacing the network clears Your digits).
        self.replace_network(model.net);
        self.taught = model.digits;
        Ok(model.description)
    }

    /// Replaces the weights (an imported model) and starts the optimiser afresh; Your digits are
    /// cleared (a model file brings its own: [`Trainer::import_model`]). On an error nothing changes.
    pub fn set_network(&mut self, net: Mlp) -> Result<()> {
        check_network(&net)?;
        self.replace_network(net);
        Ok(())
    }

    /// [`Trainer::set_network`] once `net` is checked.
    fn replace_network(&mut self, net: Mlp) {
        self.config.layers = Architecture::of(&net);
        self.net = net;
        // Another network: your digits are those its file brings ([`Trainer::import_model`]).
        self.taught.clear();
        self.lesson = None;
        self.optimizer = self.config.optimizer.build();
        self.batch_filled = 0;
        // The evaluations and the copies of the weights they keep were of the network before.
        self.evaluations = Default::default();
        self.rollback.forget_checkpoint();
    }
}

/// A network MNIST's images can go through: one 28×28 map in, ten classes out.
fn check_network(net: &Mlp) -> Result<()> {
    if let Some(first) = net.maps.first().filter(|first| first.input() != MNIST_INPUT) {
        let shape = first.input();
        return Err(Error::Model(format!(
            "the network reads {} maps of {}×{}; MNIST is one map of 28×28",
            shape.channels, shape.height, shape.width
        )));
    }
    if net.inputs() != IMAGE_PIXELS || net.outputs() != CLASSES {
        return Err(Error::Model(format!(
            "the network maps {} inputs to {} outputs; MNIST needs {IMAGE_PIXELS} to {CLASSES}",
            net.inputs(),
            net.outputs()
        )));
    }
    Ok(())
}
