#!/usr/bin/env python3
"""PyTorch reference timing of one MEow and one SAC update step (batch 256, paper network sizes).

Mirrors agents/bench_test.go: observation 11, action 3 (Hopper sizes), float32, one thread.
MEow: 4 additive couplings with t-nets [d+s, 64, 64, d] (LayerNorm, learnable-beta Swish, dropout 0.1),
sigma-net [s, 64, 64, d], two shift nets [s, 256, 256, 1]; loss = mean of both heads' squared errors against
r + gamma (1-done) (V' + alpha min(b1', b2')); Adam 1e-3; clip 30; Polyak 0.005.
SAC (CleanRL): critic step on both Q nets [s+d, 256, 256, 1], one actor step [s, 256, 256] + mean/log-std
heads and one alpha step per update (the delayed-update average).

Run:  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 agents/testdata/torch_update_bench.py
Prints ms per step (median of 5 rounds of 200 steps, wall and CPU).
"""
import copy
import math
import statistics
import time

import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
S, D, B = 11, 3, 256
ALPHA, GAMMA, TAU = 0.25, 0.99, 0.005


class Swish(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.beta = nn.Parameter(torch.ones(n))

    def forward(self, x):
        return x * torch.sigmoid(self.beta * x)


def mlp(sizes, ln, drop):
    layers = []
    for i in range(len(sizes) - 2):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if ln:
            layers.append(nn.LayerNorm(sizes[i + 1]))
        layers.append(Swish(sizes[i + 1]))
        if drop > 0:
            layers.append(nn.Dropout(drop))
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


class MEow(nn.Module):
    def __init__(self):
        super().__init__()
        self.t = nn.ModuleList([mlp([D + S, 64, 64, D], True, 0.1) for _ in range(4)])
        self.h = mlp([S, 64, 64, D], False, 0)
        self.b1 = mlp([S, 256, 256, 1], False, 0)
        self.b2 = mlp([S, 256, 256, 1], False, 0)
        m = torch.zeros(D)
        m[::2] = 1
        self.masks = [m, 1 - m, m, 1 - m]

    def log_sigma(self, s):
        return -5 + 0.5 * (-0.3 + 5) * (torch.tanh(self.h(s)) + 1)

    def value(self, s):
        base = self.log_sigma(s).sum(-1) + 0.5 * D * math.log(2 * math.pi)
        return ALPHA * (base + self.b1(s)[:, 0]), ALPHA * (base + self.b2(s)[:, 0])

    def q(self, s, a):
        a = a.clamp(-1 + 1e-5, 1 - 1e-5)
        z = torch.atanh(a)
        ld = -torch.log(1 - a * a + 1.1920929e-07).sum(-1)
        for k in reversed(range(4)):
            m = self.masks[k]
            t = self.t[k](torch.cat([m * z, s], -1))
            z = m * z + (1 - m) * (z - t)
        u = z / torch.exp(self.log_sigma(s))
        e = -0.5 * (u * u).sum(-1) + ld
        return ALPHA * (e + self.b1(s)[:, 0]), ALPHA * (e + self.b2(s)[:, 0])


def polyak(tgt, src):
    with torch.no_grad():
        for pt, p in zip(tgt.parameters(), src.parameters()):
            pt.mul_(1 - TAU).add_(p, alpha=TAU)


def bench(step, rounds=5, n=200, warm=20):
    for _ in range(warm):
        step()
    wall, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            step()
        wall.append((time.perf_counter() - t0) / n * 1e3)
        cpu.append((time.process_time() - c0) / n * 1e3)
    return statistics.median(wall), statistics.median(cpu)


s = torch.randn(B, S)
a = torch.rand(B, D) * 2 - 1
r = torch.randn(B)
s2 = torch.randn(B, S)
done = (torch.rand(B) < 0.05).float()

net = MEow()
tgt = copy.deepcopy(net)
tgt.eval()
opt = torch.optim.Adam(net.parameters(), lr=1e-3)


def meow_step():
    with torch.no_grad():
        v1, v2 = tgt.value(s2)
        y = r + GAMMA * (1 - done) * torch.min(v1, v2)
    net.train()
    q1, q2 = net.q(s, a)
    loss = 0.5 * (((q1 - y) ** 2).mean() + ((q2 - y) ** 2).mean())
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(net.parameters(), 30)
    opt.step()
    polyak(tgt, net)


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(S, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU())
        self.mean = nn.Linear(256, D)
        self.logstd = nn.Linear(256, D)

    def sample(self, x):
        h = self.trunk(x)
        mu = self.mean(h)
        ls = -5 + 0.5 * 7 * (torch.tanh(self.logstd(h)) + 1)
        std = ls.exp()
        u = mu + std * torch.randn_like(mu)
        act = torch.tanh(u)
        lp = (-0.5 * ((u - mu) / std) ** 2 - ls - 0.5 * math.log(2 * math.pi)).sum(-1)
        lp = lp - torch.log(1 - act * act + 1e-6).sum(-1)
        return act, lp


def qnet():
    return nn.Sequential(nn.Linear(S + D, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))


actor, q1n, q2n = Actor(), qnet(), qnet()
q1t, q2t = copy.deepcopy(q1n), copy.deepcopy(q2n)
qopt = torch.optim.Adam(list(q1n.parameters()) + list(q2n.parameters()), lr=1e-3)
aopt = torch.optim.Adam(actor.parameters(), lr=3e-4)
log_alpha = torch.zeros(1, requires_grad=True)
alopt = torch.optim.Adam([log_alpha], lr=1e-3)


def sac_step():
    alpha = log_alpha.exp().item()
    with torch.no_grad():
        a2, lp2 = actor.sample(s2)
        sa2 = torch.cat([s2, a2], -1)
        mq = torch.min(q1t(sa2), q2t(sa2))[:, 0] - alpha * lp2
        y = r + GAMMA * (1 - done) * mq
    sa = torch.cat([s, a], -1)
    ql = ((q1n(sa)[:, 0] - y) ** 2).mean() + ((q2n(sa)[:, 0] - y) ** 2).mean()
    qopt.zero_grad()
    ql.backward()
    qopt.step()
    pa, lp = actor.sample(s)
    spa = torch.cat([s, pa], -1)
    al = (alpha * lp - torch.min(q1n(spa), q2n(spa))[:, 0]).mean()
    aopt.zero_grad()
    al.backward()
    aopt.step()
    with torch.no_grad():
        _, lp = actor.sample(s)
    alpha_loss = (-log_alpha.exp() * (lp + (-D))).mean()
    alopt.zero_grad()
    alpha_loss.backward()
    alopt.step()
    polyak(q1t, q1n)
    polyak(q2t, q2n)


print("torch", torch.__version__, "threads", torch.get_num_threads())
w, c = bench(meow_step)
print(f"MEow update step: {w:.2f} ms wall, {c:.2f} ms CPU")
w, c = bench(sac_step)
print(f"SAC update step:  {w:.2f} ms wall, {c:.2f} ms CPU")
