//! The wasm API in real browsers (`wasm-pack test --headless --firefox` / `--chrome`): a session
//! trains with falling loss, predicts, round-trips a model, and turns bad input into a JavaScript
//! exception with a clear message — after which the instance still works.
#![cfg(target_arch = "wasm32")]

use inkling::mnist::IMAGE_PIXELS;
use inkling::wasm::Session;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod web_support;
use web_support::{bars, message, number as field, settings};

fn synthetic(count: usize, offset: usize) -> (Vec<u8>, Vec<u8>) {
    bars(count, offset, true)
}

fn session(settings: JsValue) -> Session {
    let (train_images, train_labels) = synthetic(400, 0);
    let (test_images, test_labels) = synthetic(100, 3);
    Session::new(train_images, train_labels, test_images, test_labels, settings, Some(3.0)).expect("a valid session")
}

#[wasm_bindgen_test]
fn trains_with_falling_loss_and_learns() {
    let mut s = session(settings(r#"{"layers":"32","batchSize":20,"epochs":5}"#));
    let first = s.train(5, 1e9).unwrap();
    assert_eq!(field(&first, "steps"), 5.0);
    let mut last = first.clone();
    for _ in 0..15 {
        last = s.train(5, 1e9).unwrap();
    }
    assert!(
        field(&last, "loss") < 0.5 * field(&first, "loss"),
        "loss should fall: {} -> {}",
        field(&first, "loss"),
        field(&last, "loss")
    );
    let evaluation = loop {
        let e = s.evaluate(30).unwrap();
        if !e.is_null() {
            break e;
        }
    };
    assert_eq!(field(&evaluation, "examples"), 100.0);
    assert!(field(&evaluation, "accuracy") > 0.9, "accuracy {}", field(&evaluation, "accuracy"));
}

#[wasm_bindgen_test]
fn predicts_pixels_and_drawings() {
    let mut s = session(JsValue::UNDEFINED);
    let probabilities = s.predict_pixels(&[0.0; IMAGE_PIXELS]).unwrap();
    assert_eq!(probabilities.len(), 10);
    assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-4);

    // A blank white canvas is empty: no digit.
    let blank = vec![255u8; 100 * 100 * 4];
    let result = s.predict_drawing(&blank, 100, 100).unwrap();
    assert_eq!(js_sys::Reflect::get(&result, &"empty".into()).unwrap(), JsValue::TRUE);
    assert!(js_sys::Reflect::get(&result, &"digit".into()).unwrap().is_null() || js_sys::Reflect::get(&result, &"digit".into()).unwrap().is_undefined());

    // A black stroke is a digit with ten probabilities and a 28×28 preview.
    let mut canvas = blank.clone();
    for y in 20..80 {
        for x in 45..55 {
            canvas[(y * 100 + x) * 4..(y * 100 + x) * 4 + 3].copy_from_slice(&[0, 0, 0]);
        }
    }
    let result = s.predict_drawing(&canvas, 100, 100).unwrap();
    assert_eq!(js_sys::Reflect::get(&result, &"empty".into()).unwrap(), JsValue::FALSE);
    let preview = js_sys::Array::from(&js_sys::Reflect::get(&result, &"preview".into()).unwrap());
    assert_eq!(preview.length(), 784);
}

#[wasm_bindgen_test]
fn bad_input_throws_clear_errors_and_the_session_survives() {
    let mut s = session(JsValue::UNDEFINED);
    let before = s.predict_pixels(&[0.5; IMAGE_PIXELS]).unwrap();

    let e = message(s.predict_pixels(&[0.0; 3]).unwrap_err());
    assert!(e.contains("784"), "{e}");
    let e = message(s.predict_drawing(&[0u8; 10], 100, 100).unwrap_err());
    assert!(e.contains("RGBA"), "{e}");
    let e = message(s.reset(settings(r#"{"layers":"0"}"#), None).unwrap_err());
    assert!(e.contains("at least 1"), "{e}");
    let e = message(s.reset(settings(r#"{"optimizer":{"kind":"adam","learningRate":-1}}"#), None).unwrap_err());
    assert!(e.contains("learning rate"), "{e}");
    let e = message(s.reset(settings(r#"{"batchSize":100000}"#), None).unwrap_err());
    assert!(e.contains("larger than"), "{e}");
    let e = message(s.reset(settings(r#"{"colour":"blue"}"#), None).unwrap_err());
    assert!(e.contains("colour"), "{e}");
    let e = message(s.import_model(b"definitely not a model").unwrap_err());
    assert!(e.contains("not an Inkling model"), "{e}");

    // The failed calls changed nothing: same network, same answers.
    assert_eq!(s.predict_pixels(&[0.5; IMAGE_PIXELS]).unwrap(), before);

    // Data files that do not fit give a clear error instead of a session.
    let (images, labels) = synthetic(10, 0);
    let (_, other_labels) = synthetic(11, 0);
    let e = Session::new(images.clone(), other_labels, images.clone(), labels.clone(), JsValue::UNDEFINED, None);
    assert!(message(e.err().unwrap()).contains("10 images but 11 labels"));
    let e = Session::new(labels.clone(), labels.clone(), images, labels, JsValue::UNDEFINED, None);
    assert!(message(e.err().unwrap()).contains("magic"));
}

#[wasm_bindgen_test]
fn a_model_round_trips() {
    let mut s = session(settings(r#"{"layers":"16"}"#));
    s.train(10, 1e9).unwrap();
    let bytes = s.export_model("test model");
    let expected = s.predict_pixels(&[0.3; IMAGE_PIXELS]).unwrap();
    let mut other = session(settings(r#"{"layers":"64-8"}"#));
    assert_eq!(other.import_model(&bytes).unwrap(), "test model");
    assert_eq!(other.predict_pixels(&[0.3; IMAGE_PIXELS]).unwrap(), expected);
}

/// Hostile input to every exported function: each call may fail, but only with an exception —
/// never a panic, which would kill the wasm instance — and the session works normally afterwards.
#[wasm_bindgen_test]
fn hostile_input_never_breaks_the_instance() {
    let mut s = session(settings(r#"{"layers":"16"}"#));
    let reference = s.predict_pixels(&[0.25; IMAGE_PIXELS]).unwrap();

    // Constructor: empty, random and mismatched bytes.
    assert!(Session::new(vec![], vec![], vec![], vec![], JsValue::UNDEFINED, None).is_err());
    let noise: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    assert!(Session::new(noise.clone(), noise.clone(), noise.clone(), noise.clone(), JsValue::UNDEFINED, None).is_err());
    let (images, labels) = synthetic(10, 0);
    for seed in [-1.0, 0.5, f64::NAN, f64::INFINITY, 1e300] {
        assert!(Session::new(images.clone(), labels.clone(), images.clone(), labels.clone(), JsValue::UNDEFINED, Some(seed)).is_err());
    }

    // Settings of every wrong kind.
    for bad in [
        r#"{"layers":"-1"}"#,
        r#"{"layers":"4096-4096-4096"}"#,
        r#"{"layers":128}"#,
        r#"{"layers":"1000000000000"}"#,
        r#"{"batchSize":0}"#,
        r#"{"batchSize":-5}"#,
        r#"{"epochs":0}"#,
        r#"{"epochs":1e30}"#,
        r#"{"labelSmoothing":1}"#,
        r#"{"optimizer":{"kind":"sgd","learningRate":0}}"#,
        r#"{"optimizer":{"kind":"adam","learningRate":null}}"#,
        r#"{"optimizer":{"kind":"adam","beta1":1.5}}"#,
        r#"{"optimizer":{"kind":"lbfgs"}}"#,
        r#"{"schedule":{"kind":"warmup-cosine","warmup":2}}"#,
        r#"[1,2,3]"#,
        r#""adam""#,
    ] {
        let result = s.reset(settings(bad), Some(1.0));
        assert!(result.is_err(), "{bad} was accepted");
    }
    assert!(s.reset(JsValue::from_f64(f64::NAN), None).is_err());

    // Training and evaluation with odd budgets.
    s.train(0, 1e9).unwrap();
    s.train(3, f64::NAN).unwrap();
    s.train(3, -1.0).unwrap();
    s.evaluate(0).unwrap();

    // Prediction input of the wrong size or kind.
    assert!(s.predict_pixels(&[]).is_err());
    assert!(s.predict_pixels(&[f32::NAN; IMAGE_PIXELS]).is_err());
    assert!(s.predict_pixels(&[0.0; IMAGE_PIXELS + 1]).is_err());
    assert!(s.predict_drawing(&[], 0, 0).is_err());
    assert!(s.predict_drawing(&[0; 16], 2, 3).is_err());
    assert!(s.predict_drawing(&[0; 16], u32::MAX, u32::MAX).is_err());
    assert!(s.predict_drawing(&[0; 16], 1, 100_000).is_err());

    // Parameters and models.
    assert!(s.layer_weights(99).is_err());
    assert!(s.layer_biases(usize::MAX).is_err());
    assert!(s.set_layer_parameters(0, &[1.0; 3], &[0.0; 16]).is_err());
    assert!(s.set_layer_parameters(7, &[], &[]).is_err());
    assert!(s.set_layer_parameters(0, &vec![f32::INFINITY; 16 * IMAGE_PIXELS], &[0.0; 16]).is_err());
    assert!(s.import_model(&[]).is_err());
    assert!(s.import_model(&noise).is_err());
    assert!(s.import_model(b"INKMODEL\x01\x00<script>alert(1)</script>").is_err());
    let mut truncated = s.export_model("x");
    truncated.truncate(truncated.len() / 2);
    assert!(s.import_model(&truncated).is_err());

    // Nothing above changed the network, and it still trains.
    assert_eq!(s.predict_pixels(&[0.25; IMAGE_PIXELS]).unwrap(), reference);
    let report = s.train(2, 1e9).unwrap();
    assert_eq!(field(&report, "steps"), 2.0);
    assert!(Session::memory_bytes() > 0.0);
}
