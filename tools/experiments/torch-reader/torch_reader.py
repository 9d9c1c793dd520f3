"""An independent PyTorch BERT-TF reader for checking realm-ts's tfjs reader (packages/bert) and its
BERT AdamW (packages/model/src/optimizer.ts). Ports google-research/bert modeling.py (embeddings,
post-LN transformer, MLM head with tied output embeddings) and optimization.py; REALM's marginal
loss from language/realm/model.py. Run with Debian's /usr/bin/python3 (torch + numpy):

  /usr/bin/python3 tools/experiments/torch-reader/torch_reader.py gradcheck bench-results/torch-reader/batch.safetensors
  /usr/bin/python3 tools/experiments/torch-reader/torch_reader.py train --optimizer bert --steps 300
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch

LN_EPS = 1e-12


# ---------------------------------------------------------------- safetensors (F32 only)
def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", (name, info["dtype"])
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[base + a : base + b], dtype="<f4").reshape(info["shape"]).copy()
    return out, meta


# ---------------------------------------------------------------- model (BERT-TF, written from modeling.py)
def gelu(x, kind):
    if kind == "gelu":  # exact erf GELU (released BERT)
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if kind in ("gelu_tanh", "gelu_new"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if kind == "relu":
        return torch.relu(x)
    raise ValueError(kind)


def layer_norm(x, gamma, beta):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + LN_EPS) * gamma + beta


def reader_mlm_logits(w, cfg, ids, mask, segments, positions):
    """ids/mask/segments [N, T] long, positions [N, M] long -> logits [N, M, V]."""
    N, T = ids.shape
    H = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    D = H // heads
    act = cfg["hidden_act"]
    e = "bert/embeddings/"
    x = w[e + "word_embeddings"][ids] + w[e + "token_type_embeddings"][segments] + w[e + "position_embeddings"][:T][None]
    x = layer_norm(x, w[e + "LayerNorm/gamma"], w[e + "LayerNorm/beta"])
    bias = (1.0 - mask.to(x.dtype))[:, None, None, :] * -10000.0  # [N, 1, 1, T]
    for i in range(cfg["num_hidden_layers"]):
        s = f"bert/encoder/layer_{i}/"
        dense = lambda h, name: h @ w[s + name + "/kernel"] + w[s + name + "/bias"]
        split = lambda h: h.view(N, T, heads, D).permute(0, 2, 1, 3)
        q, k, v = (split(dense(x, f"attention/self/{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(-1, -2) / math.sqrt(D) + bias
        ctx = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(N, T, H)
        x = layer_norm(dense(ctx, "attention/output/dense") + x, w[s + "attention/output/LayerNorm/gamma"], w[s + "attention/output/LayerNorm/beta"])
        inter = gelu(dense(x, "intermediate/dense"), act)
        x = layer_norm(dense(inter, "output/dense") + x, w[s + "output/LayerNorm/gamma"], w[s + "output/LayerNorm/beta"])
    gathered = torch.gather(x, 1, positions[:, :, None].expand(-1, -1, H))  # [N, M, H]
    p = "cls/predictions/"
    t = gelu(gathered @ w[p + "transform/dense/kernel"] + w[p + "transform/dense/bias"], act)
    t = layer_norm(t, w[p + "transform/LayerNorm/gamma"], w[p + "transform/LayerNorm/beta"])
    return t @ w[e + "word_embeddings"].t() + w[p + "output_bias"]


def realm_marginal_loss(logits, candidate_log_probs, targets, mlm_mask):
    """logits [B, K, M, V], candidate_log_probs [B, K], targets/mlm_mask [B, M] -> per-token marginal loss."""
    B, K, M, V = logits.shape
    gold = torch.log_softmax(logits, -1).gather(-1, targets[:, None, :, None].expand(B, K, M, 1))[..., 0]  # [B, K, M]
    marginal = torch.logsumexp(candidate_log_probs[:, :, None] + gold, 1)  # [B, M]
    m = mlm_mask.to(logits.dtype)
    return -(marginal * m).sum() / m.sum(), gold


# ---------------------------------------------------------------- 1. one-step gradient check
def gradcheck(path):
    t, meta = read_safetensors(path)
    cfg = json.loads(meta["reader_config"])
    print(f"{path}: backend {meta.get('backend')}, stock kernels {meta.get('stock_kernels')}, after {meta.get('train_steps', '0')} training steps, hidden_act {cfg['hidden_act']}")
    B, M = t["input/mlm_targets"].shape
    K = t["input/candidate_log_probs"].shape[1]
    L = lambda name: torch.tensor(t[name]).long()
    ids, mask, seg = L("input/joint_ids"), L("input/joint_mask"), L("input/joint_segments")
    positions = L("input/mlm_positions").repeat_interleave(K, 0)  # [B*K, M]: same positions per candidate
    results = {}
    for dtype in (torch.float64, torch.float32):
        w = {k[len("weight/"):]: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in t.items() if k.startswith("weight/")}
        logits = reader_mlm_logits(w, cfg, ids, mask, seg, positions).view(B, K, M, -1)
        loss, gold = realm_marginal_loss(logits, torch.tensor(t["input/candidate_log_probs"], dtype=dtype), L("input/mlm_targets"), L("input/mlm_mask"))
        loss.backward()
        results[dtype] = (loss.item(), gold.detach().double().numpy(), {k: v.grad.double().numpy() for k, v in w.items()})
    loss64, gold64, g64 = results[torch.float64]
    loss32, _, g32 = results[torch.float32]
    tfjs_loss = float(t["output/loss"].reshape(()))
    print(f"loss: torch float64 {loss64:.7f}  torch float32 {loss32:.7f}  tfjs {tfjs_loss:.7f}  (rel diff tfjs vs f64 {abs(tfjs_loss - loss64) / abs(loss64):.2e})")
    print(f"gold log p max |diff| tfjs vs f64: {np.abs(t['output/gold_log_probs'] - gold64).max():.2e}")
    print("| variable | ‖g‖ (f64) | max rel err tfjs vs f64 | max rel err torch-f32 vs f64 |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    rows = []
    for name, ref in g64.items():
        tf_grad = t.get("grad/" + name)
        if tf_grad is None:
            rows.append((name, float(np.linalg.norm(ref)), float("nan"), float("nan")))
            continue
        # relative to the variable's largest gradient entry, so near-zero entries do not blow up the ratio
        scale = np.abs(ref).max()
        if scale < 1e-12:
            # mathematically zero (a key bias shifts every score of a query equally: softmax ignores it)
            rows.append((name, float(np.linalg.norm(ref)), f"exactly 0 in theory; tfjs max |g| {np.abs(tf_grad).max():.1e}", f"{np.abs(g32[name]).max():.1e}"))
            continue
        e_tf = np.abs(tf_grad - ref).max() / scale
        e_32 = np.abs(g32[name] - ref).max() / scale
        worst = max(worst, e_tf)
        rows.append((name, float(np.linalg.norm(ref)), f"{e_tf:.2e}", f"{e_32:.2e}"))
    for name, norm, e_tf, e_32 in rows:
        print(f"| {name} | {norm:.3e} | {e_tf} | {e_32} |")
    print(f"worst tfjs relative error: {worst:.2e}")


# ---------------------------------------------------------------- 2. training on the copy task
SPECIAL = dict(pad=0, unk=1, cls=2, sep=3, mask=4)


def copy_task_batch(rng, batch, vocab, body_len, types, seq_len):
    """Reader-only inputs for the gold candidate: [CLS] 5 r [MASK] 6 [SEP] body [SEP], segments 0 then 1 (packJoint)."""
    per_type = (vocab - 150) // types
    ids = np.zeros((batch, seq_len), np.int64)
    seg = np.zeros_like(ids)
    msk = np.zeros_like(ids)
    targets = np.zeros((batch, 1), np.int64)
    for b in range(batch):
        body = list(20 + rng.integers(0, 130, body_len))
        slots = list(1 + rng.choice(body_len - 2, types, replace=False))
        answers = []
        for typ, slot in enumerate(slots):
            body[slot] = 150 + typ * per_type + int(rng.integers(0, per_type))
            answers.append(body[slot])
        asked = int(rng.integers(0, types))
        relation = 10 + (int(rng.integers(0, 5)) if types == 1 else asked)
        query = [5, relation, SPECIAL["mask"], 6]
        row = [SPECIAL["cls"]] + query + [SPECIAL["sep"]] + body + [SPECIAL["sep"]]
        ids[b, : len(row)] = row
        msk[b, : len(row)] = 1
        seg[b, len(query) + 2 : len(row)] = 1
        targets[b, 0] = answers[asked]
    positions = np.full((batch, 1), 3, np.int64)
    return [torch.tensor(a) for a in (ids, msk, seg, positions, targets)]


def init_weights(cfg, gen, dtype=torch.float32):
    """modeling.py initializers: truncated normal (±2σ redraw) σ=initializer_range, zero biases, LN 1/0."""
    H, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    std = cfg["initializer_range"]

    def tn(*shape):
        x = torch.empty(*shape, dtype=dtype)
        torch.nn.init.trunc_normal_(x, 0.0, std, -2 * std, 2 * std, generator=gen) if "generator" in torch.nn.init.trunc_normal_.__code__.co_varnames else _tn(x, std, gen)
        return x

    w = {"bert/embeddings/word_embeddings": tn(V, H), "bert/embeddings/token_type_embeddings": tn(cfg["type_vocab_size"], H),
         "bert/embeddings/position_embeddings": tn(cfg["max_position_embeddings"], H),
         "bert/embeddings/LayerNorm/gamma": torch.ones(H, dtype=dtype), "bert/embeddings/LayerNorm/beta": torch.zeros(H, dtype=dtype)}
    for i in range(cfg["num_hidden_layers"]):
        s = f"bert/encoder/layer_{i}/"
        for name, (a, b) in {"attention/self/query": (H, H), "attention/self/key": (H, H), "attention/self/value": (H, H),
                             "attention/output/dense": (H, H), "intermediate/dense": (H, I), "output/dense": (I, H)}.items():
            w[s + name + "/kernel"] = tn(a, b)
            w[s + name + "/bias"] = torch.zeros(b, dtype=dtype)
        for ln in ("attention/output/LayerNorm", "output/LayerNorm"):
            w[s + ln + "/gamma"] = torch.ones(H, dtype=dtype)
            w[s + ln + "/beta"] = torch.zeros(H, dtype=dtype)
    p = "cls/predictions/"
    w[p + "transform/dense/kernel"] = tn(H, H)
    w[p + "transform/dense/bias"] = torch.zeros(H, dtype=dtype)
    w[p + "transform/LayerNorm/gamma"] = torch.ones(H, dtype=dtype)
    w[p + "transform/LayerNorm/beta"] = torch.zeros(H, dtype=dtype)
    w[p + "output_bias"] = torch.zeros(V, dtype=dtype)
    for v in w.values():
        v.requires_grad_(True)
    return w


def _tn(x, std, gen):
    # Redraw-beyond-2σ truncated normal (TF's truncated_normal) with an explicit generator.
    flat = x.view(-1)
    filled = 0
    while filled < flat.numel():
        draw = torch.randn(flat.numel() * 2, generator=gen, dtype=x.dtype) * std
        draw = draw[draw.abs() <= 2 * std][: flat.numel() - filled]
        flat[filled : filled + draw.numel()] = draw
        filled += draw.numel()


class BertAdamW:
    """optimization.py AdamWeightDecayOptimizer: no bias correction, decoupled wd, after global-norm clip."""

    def __init__(self, w, lr_fn, wd=0.01, b1=0.9, b2=0.999, eps=1e-6, clip=1.0, exclude=("LayerNorm", "layer_norm", "bias")):
        self.w, self.lr_fn, self.wd, self.b1, self.b2, self.eps, self.clip = w, lr_fn, wd, b1, b2, eps, clip
        self.decay = {k: not any(e in k for e in exclude) for k in w}
        self.m = {k: torch.zeros_like(v) for k, v in w.items()}
        self.v = {k: torch.zeros_like(v) for k, v in w.items()}
        self.step_count = 0

    @torch.no_grad()
    def step(self):
        grads = {k: v.grad for k, v in self.w.items()}
        norm = torch.sqrt(sum((g ** 2).sum() for g in grads.values()))
        scale = self.clip / max(norm.item(), self.clip)
        lr = self.lr_fn(self.step_count)
        for k, p in self.w.items():
            g = grads[k] * scale
            self.m[k].mul_(self.b1).add_((1 - self.b1) * g)
            self.v[k].mul_(self.b2).add_((1 - self.b2) * g * g)
            update = self.m[k] / (self.v[k].sqrt() + self.eps)
            if self.decay[k]:
                update = update + self.wd * p
            p.sub_(lr * update)
        self.step_count += 1
        return norm.item(), lr


class TorchAdamW:
    """torch.optim.AdamW (bias-corrected, decoupled wd on the same variables) after the same clip and schedule."""

    def __init__(self, w, lr_fn, wd=0.01, eps=1e-6, clip=1.0, exclude=("LayerNorm", "layer_norm", "bias")):
        decay = [v for k, v in w.items() if not any(e in k for e in exclude)]
        no_decay = [v for k, v in w.items() if any(e in k for e in exclude)]
        self.opt = torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}], lr=1.0, betas=(0.9, 0.999), eps=eps)
        self.w, self.lr_fn, self.clip, self.step_count = w, lr_fn, clip, 0

    def step(self):
        norm = torch.nn.utils.clip_grad_norm_(list(self.w.values()), self.clip).item()
        lr = self.lr_fn(self.step_count)
        for group in self.opt.param_groups:
            group["lr"] = lr
        self.opt.step()
        self.step_count += 1
        return norm, lr


def linear_warmup_decay(lr, warmup, total):
    return lambda s: lr * s / warmup if s < warmup else lr * (1 - min(s, total) / total)


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    cfg = dict(vocab_size=args.vocab, hidden_size=128, num_hidden_layers=2, num_attention_heads=2, intermediate_size=256,
               hidden_act=args.act, max_position_embeddings=128, type_vocab_size=2, initializer_range=0.02)
    gen = torch.Generator().manual_seed(args.seed)
    if args.init_from:
        t, meta = read_safetensors(args.init_from)
        w = {k[len("weight/"):]: torch.tensor(v, requires_grad=True) for k, v in t.items() if k.startswith("weight/")}
        cfg["hidden_act"] = json.loads(meta["reader_config"])["hidden_act"]
    else:
        w = init_weights(cfg, gen)
    lr_fn = linear_warmup_decay(args.lr, args.warmup, args.steps)
    opt = (BertAdamW if args.optimizer == "bert" else TorchAdamW)(w, lr_fn, clip=args.clip)
    rng = np.random.default_rng(args.seed + 1)
    seq_len = 1 + 4 + 1 + args.body + 1
    start = time.time()
    curve = []
    for s in range(args.steps):
        ids, msk, seg, pos, tgt = copy_task_batch(rng, args.batch, args.vocab, args.body, args.types, seq_len)
        logits = reader_mlm_logits(w, cfg, ids, msk, seg, pos)  # [B, 1, V]
        loss = torch.nn.functional.cross_entropy(logits.view(-1, cfg["vocab_size"]), tgt.view(-1))
        for v in w.values():
            v.grad = None
        loss.backward()
        norm, lr = opt.step()
        with torch.no_grad():
            acc = (logits.argmax(-1) == tgt).float().mean().item()
            # −log p(answer's type range): ~0 once relation → range is learned, ln(types) before
            per_type = (args.vocab - 150) // args.types
            log_p = torch.log_softmax(logits.view(-1, cfg["vocab_size"]), -1)
            start_ids = 150 + (tgt.view(-1) - 150) // per_type * per_type
            in_range = (torch.arange(cfg["vocab_size"])[None] >= start_ids[:, None]) & (torch.arange(cfg["vocab_size"])[None] < start_ids[:, None] + per_type)
            range_nll = -torch.logsumexp(log_p.masked_fill(~in_range, -1e9), -1).mean().item()
        curve.append(dict(step=s + 1, loss=loss.item(), acc=acc, range_nll=range_nll, norm=norm, lr=lr))
    summary = {}
    marks = [m for m in (50, 100, 200, 300, 500, 1000, 2000, 3000) if m <= len(curve)]
    if len(curve) not in marks:
        marks.append(len(curve))
    for at in marks:
        window = curve[max(0, at - 10) : at]
        summary[at] = tuple(sum(c[key] for c in window) / len(window) for key in ("loss", "acc", "range_nll"))
    label = f"torch {args.optimizer} lr {args.lr} seed {args.seed} init {'tfjs' if args.init_from else 'torch'} V{args.vocab} T{args.types} body{args.body}"
    print(f"{label}: " + "  ".join(f"@{k} loss {v[0]:.3f} acc {v[1]:.2f} rangeNLL {v[2]:.2f}" for k, v in summary.items()) + f"  ({time.time() - start:.0f} s)", flush=True)
    if args.grad_norms:
        # gradient norm per block on the last batch: shows whether the encoder still gets signal
        groups = {}
        for k, v in w.items():
            block = "embeddings" if k.startswith("bert/embeddings") else ("head" if k.startswith("cls/") else k.split("/")[2])
            groups[block] = groups.get(block, 0.0) + float((v.grad ** 2).sum())
        print("  last-batch gradient norm by block: " + "  ".join(f"{b} {math.sqrt(n):.1e}" for b, n in groups.items()))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(dict(args=vars(args), curve=curve), f)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gradcheck")
    g.add_argument("path")
    t = sub.add_parser("train")
    t.add_argument("--optimizer", choices=["bert", "torch"], default="bert")
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--steps", type=int, default=300)
    t.add_argument("--warmup", type=int, default=100)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--clip", type=float, default=1.0)
    t.add_argument("--vocab", type=int, default=550)
    t.add_argument("--body", type=int, default=12)
    t.add_argument("--types", type=int, default=4)
    t.add_argument("--act", default="gelu")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--init-from", default=None, help="start from the tfjs weights in a dump-batch.ts safetensors file")
    t.add_argument("--out", default=None)
    t.add_argument("--grad-norms", action="store_true", help="print the last batch's gradient norm per block")
    a = ap.parse_args()
    gradcheck(a.path) if a.cmd == "gradcheck" else train(a)


if __name__ == "__main__":
    main()
