#!/usr/bin/env python3
"""Python PyTorch reference of the model step that `cmems bench` times as ms_per_step:
two SSL4MIS U-Nets (16..256 channels, auxiliary heads at 1/8, 1/4, 1/2), labeled forward +
½CE + ½Dice, weak forward with channel dropout (p=0.5) on all five encoder levels (clean and
perturbed features decoded separately), cross pseudo-labels (τ = 0.95), strong forward,
per model ℓ_sup + ℓ_ip + ℓ_fp (heads weighted 8:4:2:1), backward, SGD (lr 0.01, momentum
0.9, wd 1e-4). Median of --iterations after --warmup.

Also counts the ATen operator calls of one step (torch.profiler): all (nested calls included)
and the top-level ones (no aten op around them), as `cmems bench` does for its iteration.
Variants: eager (default), --channels-last, --bf16 (CUDA autocast), --compile (torch.compile).
CPU: Debian's python3-torch; GPU: the machine's PyTorch. Prints one JSON line."""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, p):
        super().__init__()
        self.seq = nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.LeakyReLU(0.01),
                                 nn.Dropout(p), nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout),
                                 nn.LeakyReLU(0.01))

    def forward(self, x):
        return self.seq(x)


class UpBlock(nn.Module):
    def __init__(self, cdeep, cskip, cout):
        super().__init__()
        self.reduce = nn.Conv2d(cdeep, cskip, 1)
        self.conv = ConvBlock(2 * cskip, cout, 0.0)

    def forward(self, deep, skip):
        x = F.interpolate(self.reduce(deep), scale_factor=2, mode="bilinear", align_corners=True)
        return self.conv(torch.cat([skip, x], 1))


class UNet(nn.Module):
    def __init__(self, width=16, classes=4):
        super().__init__()
        ch = [width << i for i in range(5)]
        drop = [0.05, 0.1, 0.2, 0.3, 0.5]
        self.enc = nn.ModuleList([ConvBlock(1 if i == 0 else ch[i - 1], ch[i], drop[i]) for i in range(5)])
        self.dec = nn.ModuleList([UpBlock(ch[4 - i], ch[3 - i], ch[3 - i]) for i in range(4)])
        self.head = nn.Conv2d(ch[0], classes, 3, padding=1)
        self.aux = nn.ModuleList([nn.Conv2d(ch[3 - i], classes, 3, padding=1) for i in range(3)])

    def encode(self, x):
        f = []
        for i, e in enumerate(self.enc):
            x = e(x if i == 0 else F.max_pool2d(x, 2))
            f.append(x)
        return f

    def decode(self, f, aux):
        x, side = f[4], []
        for i, d in enumerate(self.dec):
            x = d(x, f[3 - i])
            if aux and i < 3:
                side.append(self.aux[i](x))
        return [self.head(x)] + (side[::-1] if aux else [])

    def forward(self, x):
        return self.decode(self.encode(x), False)[0]

    def forward_fp(self, x):
        f = self.encode(x)
        # clean and perturbed decoded separately (no shared BatchNorm statistics), as cmems does
        return self.decode(f, False)[0], self.decode([F.dropout2d(t, 0.5, True) for t in f], True)


def seg_loss(logits, target, mask=None):
    logits = logits.float()
    if mask is None:
        mask = torch.ones_like(target, dtype=torch.float)
    ce = (F.cross_entropy(logits, target, reduction="none") * mask).sum() / mask.numel()
    p = logits.softmax(1)
    y = F.one_hot(target, logits.shape[1]).permute(0, 3, 1, 2).float()
    m = mask.unsqueeze(1)
    inter, ps, ys = (p * y * m).sum((0, 2, 3)), (p * p * m).sum((0, 2, 3)), (y * y * m).sum((0, 2, 3))
    dice = 1 - ((2 * inter + 1e-5) / (ps + ys + 1e-5)).mean()
    return 0.5 * ce + 0.5 * dice


HEAD_WEIGHTS = [w / 1.875 for w in (1.0, 0.5, 0.25, 0.125)]  # main, 1/2, 1/4, 1/8, sum 1


def nearest(t, h, w):
    return F.interpolate(t.unsqueeze(1).float(), size=(h, w), mode="nearest").squeeze(1).to(t.dtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--iterations", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--bf16", action="store_true")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--profile-table", default="", help="write torch.profiler's per-operator table of one step here")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    torch.backends.cudnn.benchmark = True
    nets = [UNet(a.width).to(dev), UNet(a.width).to(dev)]
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    nets = [n.to(memory_format=fmt) for n in nets]
    opt = torch.optim.SGD([p for n in nets for p in n.parameters()], lr=0.01, momentum=0.9, weight_decay=1e-4)
    b, s = a.batch, a.size
    x_l = torch.rand(b, 1, s, s, device=dev).to(memory_format=fmt)
    y_l = torch.randint(0, 4, (b, s, s), device=dev)
    x_w = torch.rand(b, 1, s, s, device=dev).to(memory_format=fmt)
    x_s = (x_w + 0.1 * torch.randn_like(x_w)).clamp(0, 1)

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
            loss, pl, fps = 0.0, [], []
            for n in nets:
                loss = loss + seg_loss(n(x_l), y_l)
                clean, pert = n.forward_fp(x_w)
                prob = clean.detach().float().softmax(1)
                conf, lab = prob.max(1)
                pl.append((lab, (conf >= 0.95).float()))
                fps.append(pert)
            for i, n in enumerate(nets):
                lab, m = pl[(i + 1) % 2]
                loss = loss + seg_loss(n(x_s), lab, m)
                for o, w_k in zip(fps[i], HEAD_WEIGHTS):
                    h, w = o.shape[2:]
                    loss = loss + w_k * seg_loss(o, nearest(lab, h, w), nearest(m, h, w))
        loss.backward()
        opt.step()

    if a.compile:
        step = torch.compile(step)
    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.iterations):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    # ATen operator calls of one more step, nested ones included (`cmems bench` counts the same)
    # On CUDA the same profile records the kernels (kineto): their number and GPU time per step.
    acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if dev.type == "cuda" else [])
    with torch.profiler.profile(activities=acts) as prof:
        step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
    aten = [e for e in prof.events() if e.name.startswith("aten::")]
    kernels = [e for e in prof.events() if str(getattr(e, "device_type", "")).endswith("CUDA")]
    gpu_us = sum(getattr(e, "device_time", getattr(e, "cuda_time", 0)) or 0 for e in kernels)
    if a.profile_table:
        table = None
        for key in (["self_device_time_total", "self_cuda_time_total"] if dev.type == "cuda" else []) + ["self_cpu_time_total"]:
            try:
                table = prof.key_averages().table(sort_by=key, row_limit=25)
                break
            except Exception:  # sort keys differ between torch versions
                continue
        with open(a.profile_table, "w") as f:
            f.write(table or "no table\n")

    def nested(e):  # an aten op called by another aten op
        p = e.cpu_parent
        while p is not None and not p.name.startswith("aten::"):
            p = p.cpu_parent
        return p is not None
    ops, top = len(aten), sum(1 for e in aten if not nested(e))
    variant = "+".join(v for v, on in [("channels-last", a.channels_last), ("bf16", a.bf16), ("compile", a.compile)] if on) or "eager"
    print(json.dumps({"ms_per_step": times[len(times) // 2], "aten_ops_per_step": ops, "aten_top_level_ops_per_step": top,
                      "cuda_kernels_per_step": len(kernels), "cuda_kernel_ms_per_step": gpu_us / 1000.0, "variant": variant, "device": a.device,
                      "threads": torch.get_num_threads(), "torch": torch.__version__, "batch": [b, b], "size": s}))


if __name__ == "__main__":
    main()
