//! Model import on arbitrary bytes: an error or a usable network, never a panic or a huge
//! allocation. Each input is also tried behind both real headers (an MLP's version 1 and a
//! ConvNet's version 2), so that it reaches both record decoders.
#![no_main]
use inkling::batch::InputBatch;
use inkling::model_file::{load, MAGIC, MAP_VERSION, VERSION};
use inkling::network::Workspace;
use inkling::trainer::predict;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = load(data);
    for version in [VERSION, MAP_VERSION] {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&version.to_le_bytes());
        bytes.extend_from_slice(data);
        if let Ok((net, _)) = load(&bytes) {
            let mut input = InputBatch::with_capacity(net.inputs(), 1);
            let mut ws = Workspace::default();
            let probabilities = predict(&net, &vec![0.5; net.inputs()], &mut input, &mut ws).expect("a loaded network predicts");
            assert_eq!(probabilities.len(), net.outputs());
        }
    }
});
