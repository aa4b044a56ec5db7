//! Settings as they come from outside the crate — the page's form and links, through the bindings:
//! a settings object, read with its keys checked, and the seed, which arrives as a JavaScript number.

use crate::error::{Error, Result};
use crate::optim::{OptimizerConfig, Schedule};
use crate::trainer::TrainConfig;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Reads settings (`{"layers": "128", "optimizer": {"kind": "adam", …}, …}`) from a serde
/// deserializer that `given` makes (twice: once to read, once to check the keys), refusing a key no
/// setting has, at any depth, with its path: ``unknown field `optimizer.beta3` `` ([`check_keys`]).
pub fn read<'de, D: Deserializer<'de>>(given: impl Fn() -> D) -> std::result::Result<TrainConfig, D::Error> {
    let config = TrainConfig::deserialize(given())?;
    check_keys(given())?;
    Ok(config)
}

/// Refuses a key of settings that no setting has, at any depth, with its path: ``unknown field
/// `optimizer.beta3` ``. For settings that read without an error: each object of settings in them is
/// read as a map.
///
/// Why not `#[serde(deny_unknown_fields)]` alone (the settings' types have it): serde-wasm-bindgen
/// reads a struct by looking up only the fields it knows, so a misspelt key would never be seen and
/// the setting would silently keep its default.
pub fn check_keys<'de, D: Deserializer<'de>>(settings: D) -> std::result::Result<(), D::Error> {
    settings.deserialize_map(KnownKeys { path: String::new(), fields: fields_of::<TrainConfig>() })
}

/// The settings whose values are objects of settings in their turn, with their keys.
fn nested_fields(path: &str) -> Option<&'static [&'static str]> {
    match path {
        "optimizer" => Some(fields_of::<OptimizerConfig>()),
        "schedule" => Some(fields_of::<Schedule>()),
        _ => None,
    }
}

/// The keys of the struct that `T` is read as (for an enum read through a struct, that struct's).
fn fields_of<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    /// A deserializer that only notes the fields it is asked for.
    struct Probe<'a>(&'a mut &'static [&'static str]);

    /// What a [`Probe`] always ends with (no message: nobody reads it).
    #[derive(Debug)]
    struct Noted;

    impl fmt::Display for Noted {
        fn fmt(&self, _: &mut fmt::Formatter) -> fmt::Result {
            Ok(())
        }
    }

    impl std::error::Error for Noted {}

    impl de::Error for Noted {
        fn custom<T: fmt::Display>(_: T) -> Self {
            Noted
        }
    }

    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = Noted;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> std::result::Result<V::Value, Noted> {
            Err(Noted)
        }

        fn deserialize_struct<V: Visitor<'de>>(self, _: &'static str, fields: &'static [&'static str], _: V) -> std::result::Result<V::Value, Noted> {
            *self.0 = fields;
            Err(Noted)
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// Checks the keys of an object of settings at `path` ("" at the top, "optimizer." inside the
/// optimizer's) against `fields`.
struct KnownKeys {
    path: String,
    fields: &'static [&'static str],
}

impl<'de> Visitor<'de> for KnownKeys {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of settings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let path = format!("{}{key}", self.path);
            if !self.fields.contains(&key.as_str()) {
                return Err(de::Error::custom(format_args!("unknown field `{path}`")));
            }
            match nested_fields(&path) {
                Some(fields) => map.next_value_seed(KnownKeys { path: path + ".", fields })?,
                None => map.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for KnownKeys {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// The largest seed: 2^53 − 1, the largest whole number a JavaScript number (an `f64`) holds
/// exactly, so that every seed can be shown and given back.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// A seed given as a number: a whole number from 0 to [`MAX_SEED`]; anything else (a fraction,
/// below zero, too large, NaN or infinite) is refused with a message that says so.
pub fn seed_from_number(seed: f64) -> Result<u64> {
    if (0.0..=MAX_SEED as f64).contains(&seed) && seed.fract() == 0.0 {
        Ok(seed as u64)
    } else {
        Err(Error::Config(format!("the seed must be a whole number from 0 to 2^53 − 1 (got {seed})")))
    }
}

/// A seed drawn from 64 random bits: 53 of them, so that it survives the trip through a JavaScript
/// number ([`seed_from_number`] takes it back).
pub fn seed_from_random_bits(bits: u64) -> u64 {
    bits >> 11
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(target_arch = "wasm32"))] // serde_json is a native dev-dependency; tests/web_keep.rs reads settings in the browser
    fn read_json(json: &str) -> std::result::Result<TrainConfig, String> {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        read(|| &value).map_err(|e| e.to_string())
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn settings_are_read_as_given_and_an_unknown_key_is_refused_by_its_path() {
        let json = r#"{"layers":"64","optimizer":{"kind":"sgd","learningRate":0.5},"schedule":{"kind":"constant"},"augment":true}"#;
        assert_eq!(read_json(json).unwrap(), serde_json::from_str::<TrainConfig>(json).unwrap());
        assert_eq!(read_json("{}").unwrap(), TrainConfig::default());
        let check = |json: &str| check_keys(&serde_json::from_str::<serde_json::Value>(json).unwrap()).map_err(|e| e.to_string());
        for (json, message) in [
            (r#"{"layrs":"64"}"#, "unknown field `layrs`"),
            (r#"{"optimizer":{"kind":"adam","beta3":0.9}}"#, "unknown field `optimizer.beta3`"),
            (r#"{"layers":"64","schedule":{"kind":"warmup-cosine","warmup":0.1,"cosine":1}}"#, "unknown field `schedule.cosine`"),
        ] {
            assert_eq!(check(json).unwrap_err(), message, "{json}");
            // Read whole, serde_json sees the key too, but without its path.
            assert!(read_json(json).unwrap_err().starts_with("unknown field"), "{json}");
        }
        // Values of the wrong kind are refused as serde refuses them.
        for json in [r#"{"optimizer":"adam"}"#, r#"{"augment":"yes"}"#, r#"{"layers":128}"#] {
            assert!(read_json(json).unwrap_err().starts_with("invalid type"), "{json}");
        }
    }

    /// Every setting whose value is an object has its keys checked: every key of every optimiser
    /// and schedule, written out, is one the check knows.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_check_knows_every_key_settings_are_written_with() {
        use crate::optim::{AdamConfig, MomentumConfig, RmsPropConfig, SgdConfig};
        let optimizers = [
            OptimizerConfig::Sgd(SgdConfig::default()),
            OptimizerConfig::Momentum(MomentumConfig::default()),
            OptimizerConfig::RmsProp(RmsPropConfig::default()),
            OptimizerConfig::Adam(AdamConfig::default()),
        ];
        for optimizer in optimizers {
            for schedule in [Schedule::Constant, Schedule::WarmupCosine { warmup: 0.1 }] {
                let config = TrainConfig { optimizer, schedule, ..TrainConfig::default() };
                let written = serde_json::to_value(&config).unwrap();
                let top = written.as_object().unwrap();
                assert_eq!(top.keys().collect::<Vec<_>>().len(), fields_of::<TrainConfig>().len());
                for (key, value) in top {
                    assert!(fields_of::<TrainConfig>().contains(&key.as_str()), "{key}");
                    if let Some(inner) = value.as_object() {
                        let fields = nested_fields(key).unwrap_or_else(|| panic!("`{key}` is an object the check does not look into"));
                        for inner_key in inner.keys() {
                            assert!(fields.contains(&inner_key.as_str()), "{key}.{inner_key}");
                        }
                    }
                }
                assert_eq!(read_json(&written.to_string()).unwrap(), config);
            }
        }
    }

    #[test]
    fn a_seed_is_a_whole_number_from_0_to_2_to_the_53_minus_1() {
        for (given, seed) in [(0.0, 0), (-0.0, 0), (1.0, 1), (42.0, 42), (9_007_199_254_740_991.0, MAX_SEED)] {
            assert_eq!(seed_from_number(given), Ok(seed), "{given}");
        }
        for bad in [-1.0, 0.5, 1e-300, 9_007_199_254_740_992.0, 1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let error = seed_from_number(bad).unwrap_err().to_string();
            assert_eq!(error, format!("settings: the seed must be a whole number from 0 to 2^53 − 1 (got {bad})"));
        }
    }

    #[test]
    fn a_random_seed_is_one_a_number_gives_back() {
        for bits in [0, 1, 0x0123_4567_89ab_cdef, u64::MAX] {
            let seed = seed_from_random_bits(bits);
            assert_eq!(seed_from_number(seed as f64), Ok(seed), "{bits:#x}");
        }
        assert_eq!(seed_from_random_bits(u64::MAX), MAX_SEED);
    }
}
