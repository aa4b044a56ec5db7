//! Keeping and sharing in real browsers: `checkSettings` judges settings as a session would (a link's
//! settings are checked before the session exists), the presets reach the page as settings a session
//! takes, the augmentation setting reaches the trainer, a drawing's answer says whether it is sure,
//! a model survives export and import unchanged, and a lesson teaches a drawing and its digit travels
//! in the model file.
#![cfg(target_arch = "wasm32")]

use inkling::mnist::IMAGE_PIXELS;
use inkling::presets::Preset;
use inkling::wasm::Session;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod web_support;
use web_support::{get, message, settings};

fn synthetic(count: usize, offset: usize) -> (Vec<u8>, Vec<u8>) {
    web_support::bars(count, offset, false)
}

fn session(json: &str) -> Session {
    web_support::bar_session(json, 5.0)
}

#[wasm_bindgen_test]
fn check_settings_accepts_and_refuses_like_a_session() {
    Session::check_settings(JsValue::UNDEFINED, 60_000).expect("the defaults");
    Session::check_settings(settings(r#"{"layers":"64","augment":true,"epochs":0.1}"#), 60_000).expect("a link's settings");
    for (json, needle) in [
        (r#"{"layers":"0"}"#, "settings:"),
        (r#"{"batchSize":70000}"#, "larger than the 60000 training examples"),
        (r#"{"augment":"yes"}"#, "settings:"),
        (r#"{"layrs":"64"}"#, "unknown field `layrs`"),
        (r#"{"optimizer":{"kind":"adam","beta3":0.9}}"#, "unknown field `optimizer.beta3`"),
        (r#"{"schedule":{"kind":"constant","warmup":0.1}}"#, "settings:"),
        (r#"{"layers":"c8k5-p3"}"#, "settings: layer 2 (\"p3\") of \"c8k5-p3\": only 2×2 pooling"),
        (r#"{"layers":128}"#, "settings:"),
    ] {
        let error = Session::check_settings(settings(json), 60_000).expect_err(json);
        let text = message(error);
        assert!(text.contains(needle), "{json}: {text}");
        // A session refuses the same settings with the same message.
        let (train_images, train_labels) = synthetic(200, 0);
        let (test_images, test_labels) = synthetic(50, 3);
        if json.contains("70000") {
            continue; // the small session has 200 examples, so its message names 200
        }
        let refused = Session::new(train_images, train_labels, test_images, test_labels, settings(json), Some(1.0))
            .err()
            .map(message);
        assert_eq!(refused, Some(text), "{json}");
    }
}

#[wasm_bindgen_test]
fn the_presets_are_the_cores_as_settings_a_session_takes() {
    let mut s = session("{}");
    let presets = js_sys::Array::from(&s.presets().unwrap());
    assert_eq!(presets.length() as usize, Preset::ALL.len());
    for (preset, value) in Preset::ALL.iter().zip(presets.iter()) {
        assert_eq!(get(&value, "name").as_string().as_deref(), Some(preset.name()));
        assert_eq!(get(&value, "label").as_string().as_deref(), Some(preset.label()));
        let settings = get(&value, "settings");
        // Decimal numbers arrive as written (a form shows them), not widened from f32 (0.003000000026…).
        let rate = get(&get(&settings, "optimizer"), "learningRate").as_f64().unwrap();
        assert_eq!(rate.to_string(), preset.config(200).optimizer.learning_rate().to_string());
        // Each is a session's own settings after a reset with it (the seed's batch is all 200 bars).
        s.reset(settings.clone(), Some(1.0)).unwrap_or_else(|e| panic!("{}: {}", preset.name(), message(e)));
        let info = s.info().unwrap();
        assert_eq!(get(&get(&info, "settings"), "batchSize").as_f64(), Some(preset.config(200).batch_size as f64));
        let layers = |settings: &JsValue| get(settings, "layers").as_string();
        assert_eq!(layers(&get(&info, "settings")), layers(&settings));
    }
}

#[wasm_bindgen_test]
fn info_gives_the_settings_as_written() {
    // f32 values widened to f64 would read 0.10000000149011612 and 0.0020000000949949026.
    let s = session(r#"{"layers":"12","batchSize":20,"epochs":0.1,"optimizer":{"kind":"adam","learningRate":0.002}}"#);
    let settings = get(&s.info().unwrap(), "settings");
    assert_eq!(get(&settings, "epochs").as_f64(), Some(0.1));
    assert_eq!(get(&get(&settings, "optimizer"), "learningRate").as_f64(), Some(0.002));
}

#[wasm_bindgen_test]
fn augmentation_is_a_setting_of_the_session() {
    let s = session(r#"{"layers":"12","batchSize":20,"augment":true}"#);
    let info = s.info().unwrap();
    assert_eq!(get(&get(&info, "settings"), "augment").as_bool(), Some(true));
    let mut plain = session(r#"{"layers":"12","batchSize":20}"#);
    assert_eq!(get(&get(&plain.info().unwrap(), "settings"), "augment").as_bool(), Some(false));
    // Same seed, same data: augmentation makes the runs differ.
    let mut augmented = s;
    augmented.train(5, 1e9).unwrap();
    plain.train(5, 1e9).unwrap();
    assert_ne!(augmented.layer_weights(0).unwrap(), plain.layer_weights(0).unwrap());
}

/// A white 28×28 RGBA canvas with a dark square from (x0, y0) to (x1, y1).
fn canvas(x0: usize, y0: usize, x1: usize, y1: usize) -> Vec<u8> {
    let mut rgba = vec![255u8; 28 * 28 * 4];
    for y in y0..y1 {
        for x in x0..x1 {
            rgba[(y * 28 + x) * 4..(y * 28 + x) * 4 + 3].fill(0);
        }
    }
    rgba
}

#[wasm_bindgen_test]
fn a_drawing_answer_says_whether_it_is_sure_and_survives_export() {
    let mut s = session(r#"{"layers":"12","batchSize":20}"#);
    let drawing = canvas(4, 10, 24, 12);
    let before = s.predict_drawing(&drawing, 28, 28).unwrap();
    let probabilities: Vec<f64> = js_sys::Array::from(&get(&before, "probabilities")).iter().map(|v| v.as_f64().unwrap()).collect();
    let digit = get(&before, "digit").as_f64().unwrap() as usize;
    let confident = get(&before, "confident").as_bool().expect("a confident flag");
    assert_eq!(confident, probabilities[digit] >= 0.5, "sure means a top probability of at least one half");
    let empty = s.predict_drawing(&vec![255u8; 28 * 28 * 4], 28, 28).unwrap();
    assert_eq!(get(&empty, "confident").as_bool(), Some(false));

    // Export, change the weights, import: the same answer as before.
    let bytes = s.export_model("test model");
    s.train(20, 1e9).unwrap();
    let changed = s.predict_drawing(&drawing, 28, 28).unwrap();
    assert_ne!(js_sys::JSON::stringify(&get(&changed, "probabilities")).unwrap(), js_sys::JSON::stringify(&get(&before, "probabilities")).unwrap());
    assert_eq!(s.import_model(&bytes).unwrap(), "test model");
    let after = s.predict_drawing(&drawing, 28, 28).unwrap();
    assert_eq!(js_sys::JSON::stringify(&after).unwrap(), js_sys::JSON::stringify(&before).unwrap());
    // A damaged file is refused and the model stays.
    let error = s.import_model(&bytes[..bytes.len() / 2]).expect_err("half a file");
    assert!(message(error).contains("model file:"));
    let still = s.predict_drawing(&drawing, 28, 28).unwrap();
    assert_eq!(js_sys::JSON::stringify(&still).unwrap(), js_sys::JSON::stringify(&before).unwrap());
}

/// The most likely digit of ten probabilities.
fn top(probabilities: &[f32]) -> usize {
    inkling::network::argmax(probabilities)
}

#[wasm_bindgen_test]
fn a_lesson_through_the_bindings_teaches_a_drawing_and_model_files_carry_your_digits() {
    let mut s = session("{}");
    s.train(300, 1e9).unwrap();
    // A vertical bar, which no digit of the bar set is: taught as a digit the network does not read
    // in it.
    let mut pixels = vec![0f32; IMAGE_PIXELS];
    for y in 4..24 {
        pixels[y * 28 + 13] = 1.0;
        pixels[y * 28 + 14] = 1.0;
    }
    let label = ((top(&s.predict_pixels(&pixels).unwrap()) + 1) % 10) as u8;
    s.teach(label, &pixels).unwrap();
    let mut slices = 1;
    while !s.lesson(1e9).unwrap() {
        slices += 1;
        assert!(slices < 100, "the lesson ends");
    }
    assert_eq!(top(&s.predict_pixels(&pixels).unwrap()), label as usize, "the taught drawing is read as taught");
    let digits = s.your_digits();
    assert_eq!(digits.len(), 785);
    assert_eq!((digits[0], digits[1 + 4 * 28 + 13]), (label, 255));
    // A model file carries them (version 3); importing it brings them back.
    let bytes = s.export_model("taught");
    assert_eq!(&bytes[8..10], &[3, 0]);
    s.forget_digits();
    assert!(s.your_digits().is_empty());
    s.import_model(&bytes).unwrap();
    assert_eq!(s.your_digits(), digits);
    // Bad requests are refused with a reason, and nothing changes.
    assert!(message(s.teach(10, &pixels).unwrap_err()).contains("0 to 9"));
    assert!(message(s.teach(3, &pixels[..100]).unwrap_err()).contains("784"));
    assert!(message(s.forget_digit(1).unwrap_err()).contains("no digit 1"));
    assert_eq!(s.your_digits(), digits);
    s.forget_digit(0).unwrap();
    assert!(s.your_digits().is_empty());
    // Fresh weights have learnt none of them.
    s.import_model(&bytes).unwrap();
    s.reset(JsValue::UNDEFINED, Some(2.0)).unwrap();
    assert!(s.your_digits().is_empty());
}
