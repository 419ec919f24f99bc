#!/usr/bin/python3
"""PyTorch reference of boltzmann.TarFlow for the speed comparison of issue #9.

The model is the same function as boltzmann.TarFlow (tarflow.go, nn/block.go):
tokens x channels; per block an input Linear(Cin -> C) plus a learned
positional embedding (permuted with the tokens), L causal pre-LN transformer
layers (LayerNorm eps 1e-5; separate q, k, v, out projections with biases,
scale 1/sqrt(head dim); LayerNorm, Linear C -> 4C, exact erf GELU,
Linear 4C -> C), an output Linear(C -> 2 Cin) with zero weight, outputs shifted
right by one token, a = first Cin channels (log-scale), m = last Cin (shift),
z = (u - m) exp(-a), odd blocks reversing the token order. Loss =
mean_b(-log N(z; 0, I) - logdet) / D. Parameters are initialised as
NewTarFlow does (PyTorch-default linears, pos ~ N(0, 0.01^2), zero output
weight) and can be loaded from a Go checkpoint (safetensors layout) by name.

Run one thread, as the Go benchmarks with -cpu 1:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        /usr/bin/python3 boltzmann/testdata/torch_tarflow_bench.py [--config cpu,w128] [--reps 5]

It first checks the model (analytic density with zero output projections,
log|det| against the autograd Jacobian, inverse(forward(x)) = x, KV-cached
decoding equal to the parallel pass), then prints for each config the median
samples/s (wall clock and process CPU time) of
  train:  batch 256, forward + backward + clip_grad_norm_(1) + AdamW, float32
          (BenchmarkTarFlowConfigs/*/TrainStep, BenchmarkTarFlowTrainStep);
  sample: 256 proposals by the sequential KV-cached inverse under no_grad
          (BenchmarkTarFlowConfigs/*/Sample, BenchmarkTarFlowSample);
  grad:   log q and d log q / dx of 256 particles, float32
          (the flow part of BenchmarkTarFlowConfigs/*/GradLogProb).

--ckpt FILE --x FILE --z FILE --out FILE evaluates a Go checkpoint on float32
inputs instead (raw little-endian [B, D]) and writes log q, grad log q,
inverse(z) and its log|det dx/dz| (float64, concatenated) for a comparison with Go.
"""
import argparse
import json
import math
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as tnn
import torch.nn.functional as F

CONFIGS = {
    # name: (atoms, channels, width, heads, blocks, layers), as in bench_test.go
    "cpu": (22, 3, 64, 2, 4, 2),   # cpuALDP
    "w128": (22, 3, 128, 2, 4, 2),  # w128ALDP
}


class Layer(tnn.Module):
    """Causal pre-LN transformer layer (nn.TransformerBlock)."""

    def __init__(self, c, heads):
        super().__init__()
        self.c, self.h, self.dh = c, heads, c // heads
        self.ln1 = tnn.LayerNorm(c, eps=1e-5)
        self.q, self.k, self.v, self.o = (tnn.Linear(c, c) for _ in range(4))
        self.ln2 = tnn.LayerNorm(c, eps=1e-5)
        self.ff0, self.ff1 = tnn.Linear(c, 4 * c), tnn.Linear(4 * c, c)

    def ffn(self, x):
        return self.ff1(F.gelu(self.ff0(self.ln2(x))))

    def forward(self, x, mask):
        b, t, c = x.shape
        h = self.ln1(x)
        heads = lambda y: y.view(b, t, self.h, self.dh).transpose(1, 2)
        q, k, v = heads(self.q(h)), heads(self.k(h)), heads(self.v(h))
        s = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dh)) + mask
        a = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.o(a)
        return x + self.ffn(x)

    def step(self, x, kc, vc, i):
        """Token i of each sequence, x [B, C]; kc, vc [B, H, T, dh] hold tokens < i."""
        b, c = x.shape
        h = self.ln1(x)
        q = self.q(h).view(b, self.h, 1, self.dh)
        kc[:, :, i] = self.k(h).view(b, self.h, self.dh)
        vc[:, :, i] = self.v(h).view(b, self.h, self.dh)
        s = (q @ kc[:, :, : i + 1].transpose(-1, -2)) * (1.0 / math.sqrt(self.dh))
        a = (s.softmax(-1) @ vc[:, :, : i + 1]).view(b, c)
        x = x + self.o(a)
        return x + self.ffn(x)


class Block(tnn.Module):
    def __init__(self, t, cin, c, heads, layers, reverse):
        super().__init__()
        self.t, self.cin, self.reverse = t, cin, reverse
        self.inp = tnn.Linear(cin, c)
        self.pos = tnn.Parameter(0.01 * torch.randn(t, c))
        self.layers = tnn.ModuleList(Layer(c, heads) for _ in range(layers))
        self.out = tnn.Linear(c, 2 * cin)
        with torch.no_grad():
            self.out.weight.zero_()

    def forward(self, u, mask):
        """u [B, T, Cin] in the flow's order -> z in the flow's order, logdet [B]."""
        pe = self.pos
        if self.reverse:
            u, pe = u.flip(1), pe.flip(0)
        h = self.inp(u) + pe
        for layer in self.layers:
            h = layer(h, mask)
        o = self.out(h)
        o = torch.cat([torch.zeros_like(o[:, :1]), o[:, :-1]], 1)
        a, m = o[..., : self.cin], o[..., self.cin :]
        z = (u - m) * torch.exp(-a)
        if self.reverse:
            z = z.flip(1)
        return z, -a.sum((1, 2))

    def inverse(self, z, caches):
        """z [B, T, Cin] -> x, log|det dx/dz| [B], token by token with a KV cache."""
        v = (z.flip(1) if self.reverse else z).clone()
        pe = self.pos.flip(0) if self.reverse else self.pos
        ld = torch.zeros(z.shape[0], dtype=z.dtype)
        for i in range(self.t - 1):
            h = self.inp(v[:, i]) + pe[i]
            for layer, (kc, vc) in zip(self.layers, caches):
                h = layer.step(h, kc, vc, i)
            o = self.out(h)
            a, m = o[:, : self.cin], o[:, self.cin :]
            v[:, i + 1] = v[:, i + 1] * torch.exp(a) + m
            ld += a.sum(1)
        return (v.flip(1) if self.reverse else v), ld


class TarFlow(tnn.Module):
    def __init__(self, atoms, channels, width, heads, blocks, layers):
        super().__init__()
        self.d = 3 * atoms
        self.t, self.cin, self.c, self.h = self.d // channels, channels, width, heads
        self.blocks = tnn.ModuleList(
            Block(self.t, channels, width, heads, layers, k % 2 == 1) for k in range(blocks)
        )
        self.register_buffer("mask", torch.full((self.t, self.t), float("-inf")).triu(1))

    def forward(self, x):
        """x [B, D] -> z [B, D], log|det dz/dx| [B]."""
        u = x.view(x.shape[0], self.t, self.cin)
        logdet = 0
        for blk in self.blocks:
            u, ld = blk(u, self.mask)
            logdet = logdet + ld
        return u.reshape(x.shape[0], self.d), logdet

    def log_prob(self, x):
        z, ld = self(x)
        return -0.5 * (z * z).sum(1) - 0.5 * self.d * math.log(2 * math.pi) + ld

    def loss(self, x):
        return -self.log_prob(x).mean() / self.d

    def new_caches(self, batch):
        dh = self.c // self.h
        return [
            [(torch.zeros(batch, self.h, self.t, dh), torch.zeros(batch, self.h, self.t, dh)) for _ in blk.layers]
            for blk in self.blocks
        ]

    @torch.no_grad()
    def inverse(self, z, caches):
        """z [B, D] -> x [B, D], log|det dx/dz| [B] (blocks in reverse order)."""
        v = z.view(z.shape[0], self.t, self.cin)
        ld = torch.zeros(z.shape[0], dtype=z.dtype)
        for blk, cs in zip(reversed(self.blocks), reversed(caches)):
            v, l = blk.inverse(v, cs)
            ld += l
        return v.reshape(z.shape[0], self.d), ld

    @torch.no_grad()
    def sample(self, batch, caches):
        """As Sampler.Sample: x and log q(x) = log N(z) - log|det dx/dz|."""
        z = torch.randn(batch, self.d)
        lq = -0.5 * (z.double() ** 2).sum(1) - 0.5 * self.d * math.log(2 * math.pi)
        x, ld = self.inverse(z, caches)
        return x, lq - ld.double()

    def go_name(self, torch_name):
        """Parameter name in a Go checkpoint (boltzmann.TarFlow.Params)."""
        s = torch_name.replace("blocks.", "block", 1).replace(".layers.", ".layer").replace(".inp.", ".in.")
        for a, b in ((".q.", ".attn.q."), (".k.", ".attn.k."), (".v.", ".attn.v."), (".o.", ".attn.out."),
                     (".ff0.", ".ff.0."), (".ff1.", ".ff.1.")):
            s = s.replace(a, b)
        return s


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        dt = {"F32": np.float32, "F64": np.float64}[e["dtype"]]
        lo, hi = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[lo:hi], dtype=dt).reshape(e["shape"]).copy())
    return meta, out


def load_go_checkpoint(path):
    meta, tensors = load_safetensors(path)
    c = json.loads(meta["boltzmann.tarflow"])
    if c.get("soft_clamp", 0):
        sys.exit("soft clamp is not implemented here")
    heads = c["heads"] or max(1, c["width"] // 64)
    flow = TarFlow(c["atoms"], c["channels"], c["width"], heads, c["blocks"], c["layers"])
    prefix = "ema." if meta.get("boltzmann.train_state") == "1" else ""
    with torch.no_grad():
        for name, p in flow.named_parameters():
            p.copy_(tensors[prefix + flow.go_name(name)].to(p.dtype))
    return flow


# ---------------------------------------------------------------- checks


def check(flow):
    """Analytic and self-consistency checks; raises on failure."""
    torch.manual_seed(3)
    d = flow.d
    x = torch.randn(8, d, dtype=torch.float64)
    f64 = TarFlow(d // 3, flow.cin, flow.c, flow.h, len(flow.blocks), len(flow.blocks[0].layers)).double()
    f64.load_state_dict({k: v.double() for k, v in flow.state_dict().items()})
    std_normal = -0.5 * (x * x).sum(1) - 0.5 * d * math.log(2 * math.pi)
    with torch.no_grad():
        # 1. Zero output projections (weight and bias): identity map, log q = log N(x).
        for b in f64.blocks:
            b.out.bias.zero_()
        e1 = (f64.log_prob(x) - std_normal).abs().max().item()
        # 2. Zero weight, random bias (the NewTarFlow state): an elementwise affine map
        #    with constant (a, m) per position: token 0 of each block untouched.
        for b in f64.blocks:
            b.out.bias.normal_(0, 0.3)
        u = x.view(8, f64.t, f64.cin).clone()
        ld = torch.zeros(8, dtype=torch.float64)
        for b in f64.blocks:
            w = u.flip(1) if b.reverse else u
            a, m = b.out.bias[: f64.cin], b.out.bias[f64.cin :]
            w = torch.cat([w[:, :1], (w[:, 1:] - m) * torch.exp(-a)], 1)
            ld -= (f64.t - 1) * a.sum()
            u = w.flip(1) if b.reverse else w
        want = -0.5 * (u * u).sum((1, 2)) - 0.5 * d * math.log(2 * math.pi) + ld
        e2 = (f64.log_prob(x) - want).abs().max().item()
        # 3. All parameters random (non-zero output weights, small enough that
        #    exp(±a) stays moderate).
        for name, p in f64.named_parameters():
            p.add_((0.01 if ".out." in name else 0.1) * torch.randn_like(p))
    # log|det dz/dx| against the autograd Jacobian.
    jac = torch.autograd.functional.jacobian(lambda r: f64(r.view(1, d))[0].view(d), x[0])
    e3 = abs(torch.linalg.slogdet(jac)[1].item() - f64(x[:1])[1].item())
    with torch.no_grad():
        z, ldf = f64(x)
        caches = [[(kc.double(), vc.double()) for kc, vc in cs] for cs in f64.new_caches(8)]
        xb, ldi = f64.inverse(z, caches)
        e4 = (xb - x).abs().max().item()
        e5 = (ldi.double() + ldf).abs().max().item()
    # Same in float32 (the benchmarked precision).
    with torch.no_grad():
        flow32 = TarFlow(d // 3, flow.cin, flow.c, flow.h, len(flow.blocks), len(flow.blocks[0].layers))
        flow32.load_state_dict({k: v.float() for k, v in f64.state_dict().items()})
        x32 = x.float()
        xb32, _ = flow32.inverse(flow32(x32)[0], flow32.new_caches(8))
        e6 = (xb32 - x32).abs().max().item()
    res = {
        "zero out-proj: |log q - log N(x)|": e1,
        "zero out-weight, random bias: |log q - analytic|": e2,
        "random weights: |logdet - slogdet(autograd Jacobian)|": e3,
        "random weights: max |inverse(forward(x)) - x| (f64)": e4,
        "random weights: |logdet_inverse + logdet_forward| (f64)": e5,
        "random weights: max |inverse(forward(x)) - x| (f32)": e6,
    }
    tol = [1e-10, 1e-10, 1e-8, 1e-9, 1e-9, 1e-3]
    for (k, v), t in zip(res.items(), tol):
        print(f"  check {k}: {v:.2e} (tol {t:g})")
        if not v <= t:
            raise SystemExit(f"check failed: {k} = {v} > {t}")


# ---------------------------------------------------------------- benchmarks


def timeit(step, warmup, reps):
    for _ in range(warmup):
        step()
    wall, cpu = [], []
    for _ in range(reps):
        w0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def bench(name, cfg, reps, warmup, bs=256):
    torch.manual_seed(1)
    flow = TarFlow(*cfg)
    d = flow.d
    x = torch.randn(bs, d)
    opt = torch.optim.AdamW(flow.parameters(), lr=1e-4, weight_decay=4e-4)
    params = list(flow.parameters())

    def train():
        loss = flow.loss(x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        tnn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    caches = flow.new_caches(bs)

    def sample():
        flow.sample(bs, caches)

    xg = torch.randn(bs, d)

    def grad():
        xv = xg.clone().requires_grad_(True)
        lq = flow.log_prob(xv)
        (g,) = torch.autograd.grad(lq.sum(), xv)
        return lq, g

    out = {}
    for kind, fn in (("train", train), ("sample", sample), ("grad", grad)):
        w, c = timeit(fn, warmup, reps)
        out[kind] = (bs / w, bs / c)
        print(f"{name:5s} {kind:6s} {bs / w:9.1f} samples/s wall  {bs / c:9.1f} samples/s cpu  ({1e3 * w:.1f} ms/op)",
              flush=True)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="cpu,w128")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--ckpt")
    ap.add_argument("--x")
    ap.add_argument("--z")
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}", flush=True)
    if args.ckpt:
        flow = load_go_checkpoint(args.ckpt)
        d = flow.d
        x = torch.from_numpy(np.fromfile(args.x, dtype=np.float32).reshape(-1, d)).requires_grad_(True)
        lq = flow.log_prob(x)
        (g,) = torch.autograd.grad(lq.sum(), x)
        z = torch.from_numpy(np.fromfile(args.z, dtype=np.float32).reshape(-1, d))
        xi, ldi = flow.inverse(z, flow.new_caches(z.shape[0]))
        np.concatenate([lq.detach().double().numpy().ravel(), g.double().numpy().ravel(),
                        xi.double().numpy().ravel(), ldi.double().numpy().ravel()]).tofile(args.out)
        return
    for name in args.config.split(","):
        cfg = CONFIGS[name]
        if not args.no_check:
            torch.manual_seed(0)
            check(TarFlow(*cfg))
        bench(name, cfg, args.reps, args.warmup)


if __name__ == "__main__":
    main()
