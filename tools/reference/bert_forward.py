#!/usr/bin/env python3
"""Independent reference for realm-ts parity tests: the google-research/bert forward pass in numpy.

Re-states bert/modeling.py BertModel (embedding_lookup, embedding_postprocessor,
create_attention_mask_from_input_mask, attention_layer, transformer_model, pooler) from scratch with
numpy only, in float64, with no dropout (is_training=False). numpy cannot read TF checkpoints, so
the caller dumps the variables as raw little-endian float32 files.

Usage: bert_forward.py DIR
  DIR/manifest.json = {
    "config": {...bert_config.json...},
    "tensors": {"bert/embeddings/word_embeddings": {"shape": [V, H], "file": "0.f32"}, ...},
    "input_ids": [[...], ...], "input_mask": [[...], ...], "token_type_ids": [[...], ...]
  }
Prints {"sequence_output": [B][T][H], "pooled_output": [B][H]} as JSON on stdout.
"hidden_act": "gelu" is the erf form (BERT as released); "gelu_tanh"/"gelu_new" the tanh
approximation (google-research/bert HEAD); "relu", "tanh", "linear" as get_activation.
"""
import json
import math
import os
import sys

import numpy as np

LAYER_NORM_EPSILON = 1e-12


def erf(x):
  # math.erf elementwise: exact to double precision, independent of any library approximation.
  return np.vectorize(math.erf, otypes=[np.float64])(x)


def activation(name):
  if name == "gelu":
    return lambda x: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
  if name in ("gelu_tanh", "gelu_new"):
    return lambda x: 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
  if name == "relu":
    return lambda x: np.maximum(x, 0.0)
  if name == "tanh":
    return np.tanh
  if name == "linear":
    return lambda x: x
  raise ValueError("Unsupported activation: %s" % name)


def layer_norm(x, gamma, beta):
  mean = x.mean(axis=-1, keepdims=True)
  variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
  return (x - mean) / np.sqrt(variance + LAYER_NORM_EPSILON) * gamma + beta


def load(directory):
  with open(os.path.join(directory, "manifest.json")) as f:
    manifest = json.load(f)
  weights = {}
  for name, info in manifest["tensors"].items():
    raw = np.fromfile(os.path.join(directory, info["file"]), dtype="<f4")
    weights[name] = raw.reshape(info["shape"]).astype(np.float64)
  return manifest, weights


def forward(config, w, input_ids, input_mask, token_type_ids):
  batch, seq = input_ids.shape
  hidden = config["hidden_size"]
  heads = config["num_attention_heads"]
  head_size = hidden // heads
  act = activation(config["hidden_act"])

  # Embeddings: word + token type (one-hot matmul in BERT = row lookup) + positions, LayerNorm.
  x = w["bert/embeddings/word_embeddings"][input_ids]
  x = x + w["bert/embeddings/token_type_embeddings"][token_type_ids]
  x = x + w["bert/embeddings/position_embeddings"][:seq][None, :, :]
  x = layer_norm(x, w["bert/embeddings/LayerNorm/gamma"], w["bert/embeddings/LayerNorm/beta"])

  # [B, 1, 1, T] additive mask: 0 where attended, -10000 at padding keys.
  adder = (1.0 - input_mask.astype(np.float64))[:, None, None, :] * -10000.0

  def dense(t, scope):
    return t @ w[scope + "/kernel"] + w[scope + "/bias"]

  def split_heads(t):
    return t.reshape(batch, seq, heads, head_size).transpose(0, 2, 1, 3)

  for layer in range(config["num_hidden_layers"]):
    scope = "bert/encoder/layer_%d" % layer
    q = split_heads(dense(x, scope + "/attention/self/query"))
    k = split_heads(dense(x, scope + "/attention/self/key"))
    v = split_heads(dense(x, scope + "/attention/self/value"))
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_size) + adder
    scores = scores - scores.max(axis=-1, keepdims=True)
    probs = np.exp(scores)
    probs = probs / probs.sum(axis=-1, keepdims=True)
    context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
    attention = layer_norm(dense(context, scope + "/attention/output/dense") + x,
                           w[scope + "/attention/output/LayerNorm/gamma"],
                           w[scope + "/attention/output/LayerNorm/beta"])
    intermediate = act(dense(attention, scope + "/intermediate/dense"))
    x = layer_norm(dense(intermediate, scope + "/output/dense") + attention,
                   w[scope + "/output/LayerNorm/gamma"], w[scope + "/output/LayerNorm/beta"])

  pooled = np.tanh(dense(x[:, 0, :], "bert/pooler/dense"))
  return x, pooled


def main():
  manifest, weights = load(sys.argv[1])
  sequence_output, pooled_output = forward(
      manifest["config"], weights,
      np.array(manifest["input_ids"], dtype=np.int64),
      np.array(manifest["input_mask"], dtype=np.int64),
      np.array(manifest["token_type_ids"], dtype=np.int64))
  json.dump({"sequence_output": sequence_output.tolist(), "pooled_output": pooled_output.tolist()}, sys.stdout)


if __name__ == "__main__":
  main()
