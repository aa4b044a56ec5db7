//! Model import on arbitrary bytes: an error or a usable network, never a panic or a huge
//! allocation. Each input is also tried behind the real headers (an MLP's version 1, a ConvNet's
//! version 2, and version 3 — a network with your digits — over each), so that it reaches every
//! record decoder and the digit list after a network.
#![no_main]
use inkling::batch::InputBatch;
use inkling::model_file::{load_taught, MAGIC, MAP_VERSION, TAUGHT_VERSION, VERSION};
use inkling::network::Workspace;
use inkling::trainer::predict;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = load_taught(data);
    let headers: [&[u16]; 4] = [&[VERSION], &[MAP_VERSION], &[TAUGHT_VERSION, VERSION], &[TAUGHT_VERSION, MAP_VERSION]];
    for versions in headers {
        let mut bytes = MAGIC.to_vec();
        versions.iter().for_each(|v| bytes.extend_from_slice(&v.to_le_bytes()));
        bytes.extend_from_slice(data);
        if let Ok(model) = load_taught(&bytes) {
            let net = model.net;
            assert!(model.digits.iter().all(|d| d.label < 10 && d.pixels.len() == 784), "digits as the file must hold them");
            let mut input = InputBatch::with_capacity(net.inputs(), 1);
            let mut ws = Workspace::default();
            let probabilities = predict(&net, &vec![0.5; net.inputs()], &mut input, &mut ws).expect("a loaded network predicts");
            assert_eq!(probabilities.len(), net.outputs());
        }
    }
});
