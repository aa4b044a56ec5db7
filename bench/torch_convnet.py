"""The PyTorch reference for scripts/bench-native.sh --convnet: Inkling's ConvNet recipe
`c8k5-p2-c16k5-p2-128` as PyTorch layers — conv 1→8 5×5 valid + ReLU, 2×2 max-pool, conv 8→16 5×5
valid + ReLU, 2×2 max-pool, dense 256→128 ReLU, dense 128→10, softmax cross-entropy (the batch's
mean) — trained with plain SGD at a constant rate on one CPU thread.

    python bench/torch_convnet.py throughput --batch 32 [--epochs 0.5] [--repeats 1]
        Shuffled mini-batches of the 60,000 training images (pixels / 255, gathered from the bytes
        for every batch as Inkling does). Prints one JSON line: examples/s of each timed run, after
        a warm-up of 20 steps.
    python bench/torch_convnet.py same-steps --batch 32 --steps 20 --save start.inkling
        PyTorch's own initial weights, written as an Inkling model file (format version 2) to
        --save, then --steps steps on the first training images in order. Prints one JSON line with
        each step's loss; `cargo run --release --example same_steps -- start.inkling …` takes the
        same steps in Inkling, and bench/native.py compares the two.

Run it in the environment scripts/bench-native.sh makes (.venv-torch), with OMP_NUM_THREADS=1; the
script also calls torch.set_num_threads(1).
"""
import argparse
import json
import struct
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from numpy_mlp import load, timed_runs  # noqa: E402  (the NumPy side's MNIST reader and timing)

ARCHITECTURE = "c8k5-p2-c16k5-p2-128"


def convnet():
    return nn.Sequential(
        nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),  # (C, H, W) order, as Inkling's dense layer reads its maps
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )


def step(model, optimizer, x, y):
    """One SGD step on a batch; the batch's mean loss before the update."""
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.detach()


def data():
    images, labels, _, _ = load()
    return torch.from_numpy(images.reshape(-1, 1, 28, 28).copy()), torch.from_numpy(labels.astype(np.int64))


def batch_of(images, labels, idx):
    return images[idx].float() / 255, labels[idx]


def run_throughput(args):
    images, labels = data()
    torch.manual_seed(args.seed)
    model = convnet()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    n, batch = labels.numel(), args.batch
    generator = torch.Generator().manual_seed(args.seed)
    order, position = torch.randperm(n, generator=generator), 0

    def steps(count):
        nonlocal order, position
        loss = None
        for _ in range(count):
            if position + batch > n:
                order, position = torch.randperm(n, generator=generator), 0
            loss = step(model, optimizer, *batch_of(images, labels, order[position:position + batch]))
            position += batch
        return float(loss)

    return timed_runs(steps, batch, int(round(args.epochs * n / batch)), args.repeats)


def varint(n):
    """postcard's unsigned integer: LEB128."""
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def floats(values):
    """postcard's Vec<f32>: the length, then each value's 4 little-endian bytes."""
    values = np.ascontiguousarray(values, dtype="<f4").reshape(-1)
    return varint(values.size) + values.tobytes()


def text(s):
    b = s.encode()
    return varint(len(b)) + b


def inkling_model_file(model, description):
    """The model as Inkling's model file, format version 2 (src/model_file.rs): `INKMODEL`, u16 2, then
    postcard of (architecture, [1, 28, 28], 10) and of each layer's weights and biases, then the
    description. A convolution's weights are K × C_out column-major with taps (c, ky, kx) — PyTorch's
    (C_out, C_in, k, k) weight in its own order; a dense layer's are outputs × inputs column-major —
    PyTorch's (outputs, inputs) weight transposed."""
    layers = []
    for layer in model:
        if isinstance(layer, nn.Conv2d):
            layers.append((layer.weight.detach().numpy(), layer.bias.detach().numpy()))
        elif isinstance(layer, nn.Linear):
            layers.append((layer.weight.detach().numpy().T, layer.bias.detach().numpy()))
    out = bytearray(b"INKMODEL" + struct.pack("<H", 2))
    out += text(ARCHITECTURE) + varint(1) + varint(28) + varint(28) + varint(10)
    out += varint(len(layers))
    for weights, biases in layers:
        # Read in row-major order: a convolution's as it is, a dense layer's transposed (.T above),
        # which is the (outputs × inputs) matrix in column-major order.
        out += floats(weights)
        out += floats(biases)
    out += text(description)
    return bytes(out)


def run_same_steps(args):
    images, labels = data()
    torch.manual_seed(args.seed)
    model = convnet()
    Path(args.save).write_bytes(inkling_model_file(model, f"PyTorch {torch.__version__} initial weights, seed {args.seed}"))
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    losses = []
    for s in range(args.steps):
        idx = torch.arange(s * args.batch, (s + 1) * args.batch)
        losses.append(float(step(model, optimizer, *batch_of(images, labels, idx))))
    return {"kind": "same-steps", "batch": args.batch, "lr": args.lr, "losses": losses}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--epochs", type=float, default=0.5)
    t.add_argument("--repeats", type=int, default=1)
    s = sub.add_parser("same-steps")
    s.add_argument("--batch", type=int, default=32)
    s.add_argument("--steps", type=int, default=20)
    s.add_argument("--save", required=True)
    for p in (t, s):
        p.add_argument("--lr", type=float, default=0.05)
        p.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = run_same_steps(args) if args.command == "same-steps" else run_throughput(args)
    result.update(torch=torch.__version__, threads=torch.get_num_threads(), mkldnn=torch.backends.mkldnn.is_available())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
