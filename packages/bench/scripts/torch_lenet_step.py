"""PyTorch CPU's LeNet-5 training step, for the iteration suite's peer row.

The same network and step as @convlab/nn's lenet5 under `convlab train`: conv 20@5x5, 2x2 max
pooling, tanh, conv 50@5x5, 2x2 max pooling, tanh, fully connected 800 -> 500, tanh, 500 -> 10,
softmax cross-entropy, plain SGD (lr 0.1), batch 500, float32, no gradient for the input images.
PyTorch's own initialisation and a synthetic minibatch (the timing does not depend on the values).

Usage: python3 torch_lenet_step.py THREADS WARMUP REPEAT BATCH
Prints one JSON line: {"torch": version, "threads": n, "times_ms": [...]} (one entry a timed step).
"""
import json
import sys
import time

import torch
from torch import nn


def main() -> None:
    threads, warmup, repeat, batch = (int(v) for v in sys.argv[1:5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Tanh(),
        nn.Conv2d(20, 50, 5), nn.MaxPool2d(2), nn.Tanh(),
        nn.Flatten(), nn.Linear(800, 500), nn.Tanh(), nn.Linear(500, 10),
    )
    loss_fn = nn.CrossEntropyLoss()
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.rand(batch, 1, 28, 28)
    labels = torch.randint(0, 10, (batch,))

    def step() -> None:
        sgd.zero_grad()
        loss_fn(model(x), labels).backward()
        sgd.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"torch": torch.__version__, "threads": threads, "times_ms": times}))


if __name__ == "__main__":
    main()
