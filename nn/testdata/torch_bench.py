#!/usr/bin/python3
"""PyTorch reference for nn's BenchmarkMLPTrainStep and BenchmarkAttentionBlock.

Run single-threaded, as the Go benchmarks with -cpu 1:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 nn/testdata/torch_bench.py

Prints the median wall-clock and CPU time per step (ms) for
  A: MLP 17->256->256->6, ReLU, batch 256, MSE, forward + backward + Adam;
  B: pre-LN causal attention block (4 heads, width 128, MLP 4x, GELU),
     batch 64 x 22 tokens, forward + backward of an MSE loss;
in float32 (and float64 with --f64).
"""
import math
import statistics
import sys
import time

import torch
import torch.nn as tnn
import torch.nn.functional as F

torch.set_num_threads(1)


def timeit(step, warmup, reps):
    for _ in range(warmup):
        step()
    wall, cpu = [], []
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return 1e3 * statistics.median(wall), 1e3 * statistics.median(cpu)


def bench_mlp(dtype):
    torch.manual_seed(1)
    m = tnn.Sequential(tnn.Linear(17, 256), tnn.ReLU(), tnn.Linear(256, 256), tnn.ReLU(), tnn.Linear(256, 6)).to(dtype)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    x = torch.randn(256, 17, dtype=dtype)
    y = torch.randn(256, 6, dtype=dtype)

    def step():
        loss = F.mse_loss(m(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return timeit(step, 20, 200)


class Block(tnn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = tnn.LayerNorm(d), tnn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (tnn.Linear(d, d) for _ in range(4))
        self.ff1, self.ff2 = tnn.Linear(d, 4 * d), tnn.Linear(4 * d, d)

    def forward(self, x):
        b, s, d = x.shape
        h = self.ln1(x)
        split = lambda t: t.view(b, s, self.h, d // self.h).transpose(1, 2)
        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        att = q @ k.transpose(-1, -2) / math.sqrt(d // self.h)
        mask = torch.ones(s, s, dtype=torch.bool).triu(1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        a = (att @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.o(a)
        return x + self.ff2(F.gelu(self.ff1(self.ln2(x))))


def bench_block(dtype):
    torch.manual_seed(2)
    blk = Block(128, 4).to(dtype)
    x = torch.randn(64, 22, 128, dtype=dtype)
    y = torch.randn(64, 22, 128, dtype=dtype)

    def step():
        loss = F.mse_loss(blk(x), y)
        blk.zero_grad()
        loss.backward()

    return timeit(step, 5, 40)


if __name__ == "__main__":
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    dtypes = [torch.float32] + ([torch.float64] if "--f64" in sys.argv else [])
    for dt in dtypes:
        w, c = bench_mlp(dt)
        print(f"A MLPTrainStep   {str(dt):14s} wall {w:8.2f} ms  cpu {c:8.2f} ms")
        w, c = bench_block(dt)
        print(f"B AttentionBlock {str(dt):14s} wall {w:8.2f} ms  cpu {c:8.2f} ms")
