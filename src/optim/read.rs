//! Reading optimiser and schedule settings (`{"kind": "adam", "learningRate": 0.003}`).
//!
//! serde's internally tagged enums would read these too, but they first buffer the whole object in
//! a generic form, which made their readers the largest code in the WebAssembly file (15 KB before
//! gzip, measured with twiggy). Each is read instead as one flat struct of every field any kind has,
//! then checked against its kind: the same settings are accepted, the same ones refused, with a
//! message that names the field.

use super::{AdamConfig, MomentumConfig, OptimizerConfig, RmsPropConfig, Schedule, SgdConfig};
use serde::{Deserialize, Deserializer};

/// A field that may be left out (then the kind's default applies) but, if given, must be a number:
/// `null` is refused, as it is for a plain `f32` field.
fn number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f32>, D::Error> {
    f32::deserialize(deserializer).map(Some)
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum OptimizerKind {
    Sgd,
    Momentum,
    RmsProp,
    Adam,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct OptimizerFields {
    kind: OptimizerKind,
    #[serde(default, deserialize_with = "number")]
    learning_rate: Option<f32>,
    #[serde(default, deserialize_with = "number")]
    momentum: Option<f32>,
    #[serde(default, deserialize_with = "number")]
    decay: Option<f32>,
    #[serde(default, deserialize_with = "number")]
    epsilon: Option<f32>,
    #[serde(default, deserialize_with = "number")]
    beta1: Option<f32>,
    #[serde(default, deserialize_with = "number")]
    beta2: Option<f32>,
}

/// Refuses the fields in `given` (name, value) that are set: they do not belong to `kind`.
fn only_own_fields(kind: &str, given: &[(&str, Option<f32>)]) -> Result<(), String> {
    match given.iter().find(|(_, value)| value.is_some()) {
        Some((name, _)) => Err(format!("the {kind} optimiser has no setting `{name}`")),
        None => Ok(()),
    }
}

impl TryFrom<OptimizerFields> for OptimizerConfig {
    type Error = String;

    fn try_from(f: OptimizerFields) -> Result<Self, String> {
        Ok(match f.kind {
            OptimizerKind::Sgd => {
                only_own_fields("sgd", &[("momentum", f.momentum), ("decay", f.decay), ("epsilon", f.epsilon), ("beta1", f.beta1), ("beta2", f.beta2)])?;
                let d = SgdConfig::default();
                OptimizerConfig::Sgd(SgdConfig { learning_rate: f.learning_rate.unwrap_or(d.learning_rate) })
            }
            OptimizerKind::Momentum => {
                only_own_fields("momentum", &[("decay", f.decay), ("epsilon", f.epsilon), ("beta1", f.beta1), ("beta2", f.beta2)])?;
                let d = MomentumConfig::default();
                OptimizerConfig::Momentum(MomentumConfig {
                    learning_rate: f.learning_rate.unwrap_or(d.learning_rate),
                    momentum: f.momentum.unwrap_or(d.momentum),
                })
            }
            OptimizerKind::RmsProp => {
                only_own_fields("rmsprop", &[("momentum", f.momentum), ("beta1", f.beta1), ("beta2", f.beta2)])?;
                let d = RmsPropConfig::default();
                OptimizerConfig::RmsProp(RmsPropConfig {
                    learning_rate: f.learning_rate.unwrap_or(d.learning_rate),
                    decay: f.decay.unwrap_or(d.decay),
                    epsilon: f.epsilon.unwrap_or(d.epsilon),
                })
            }
            OptimizerKind::Adam => {
                only_own_fields("adam", &[("momentum", f.momentum), ("decay", f.decay)])?;
                let d = AdamConfig::default();
                OptimizerConfig::Adam(AdamConfig {
                    learning_rate: f.learning_rate.unwrap_or(d.learning_rate),
                    beta1: f.beta1.unwrap_or(d.beta1),
                    beta2: f.beta2.unwrap_or(d.beta2),
                    epsilon: f.epsilon.unwrap_or(d.epsilon),
                })
            }
        })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum ScheduleKind {
    Constant,
    WarmupCosine,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScheduleFields {
    kind: ScheduleKind,
    #[serde(default, deserialize_with = "number")]
    warmup: Option<f32>,
}

impl TryFrom<ScheduleFields> for Schedule {
    type Error = String;

    fn try_from(f: ScheduleFields) -> Result<Self, String> {
        match (f.kind, f.warmup) {
            (ScheduleKind::Constant, None) => Ok(Schedule::Constant),
            (ScheduleKind::Constant, Some(_)) => Err("the constant schedule has no setting `warmup`".into()),
            (ScheduleKind::WarmupCosine, Some(warmup)) => Ok(Schedule::WarmupCosine { warmup }),
            (ScheduleKind::WarmupCosine, None) => Err("missing field `warmup`".into()),
        }
    }
}
