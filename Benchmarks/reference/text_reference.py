"""References for TripletText's BERT encoder.

    python3 Benchmarks/reference/text_reference.py tiny OUT_DIR
        a tiny BERT (2 layers, width 32, 4 heads, vocabulary 120) with seeded random weights, saved as a
        Hugging Face folder (config.json, model.safetensors) in OUT_DIR/tiny-bert, and OUT_DIR/tiny_bert_reference.json:
        padded id batches with their masks and the mean-pooled sentence embeddings (raw and L2-normalised)
        computed by transformers' BertModel in float64.
    python3 Benchmarks/reference/text_reference.py sentences OUT.txt
        1 000 WordNet 3.0 glosses (wordnet-base), one per line, for the check below.
    python3 Benchmarks/reference/text_reference.py check MODEL_DIR SENTENCES.txt TRIPLETKIT.npy
        embeds the sentences with sentence-transformers (SentenceTransformer(MODEL_DIR)) and prints the
        cosine between its embedding and TripletKit's for each sentence (min, mean) — `make text-check`.
"""
import json
import os
import sys

import numpy as np
import torch


def tiny(out):
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    config = BertConfig(vocab_size=120, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=32, type_vocab_size=2, hidden_act="gelu",
                        layer_norm_eps=1e-12)
    model = BertModel(config, add_pooling_layer=False)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    folder = os.path.join(out, "tiny-bert")
    model.save_pretrained(folder, safe_serialization=True)
    model = model.double().eval()
    rng = np.random.default_rng(0)
    batches = []
    for lengths in [[5, 3, 7], [2], [9, 9], [12, 4, 6, 2]]:
        width = max(lengths)
        ids = [[101 % 120] + list(rng.integers(1, 120, n - 2)) + [102 % 120] + [0] * (width - n) for n in lengths]
        mask = [[1] * n + [0] * (width - n) for n in lengths]
        with torch.no_grad():
            states = model(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask)).last_hidden_state
        m = torch.tensor(mask, dtype=torch.float64).unsqueeze(-1)
        pooled = (states * m).sum(1) / m.sum(1)
        normalized = pooled / pooled.norm(dim=1, keepdim=True).clamp_min(1e-12)
        batches.append({"ids": [list(map(int, r)) for r in ids], "mask": mask, "hidden_states": states.tolist(),
                        "pooled": pooled.tolist(), "normalized": normalized.tolist()})
    # Gradients of loss = Σ w ⊙ normalized for the first batch, every parameter under its Hugging Face name.
    first = batches[0]
    w = rng.standard_normal((len(first["ids"]), config.hidden_size))
    model.zero_grad()
    states = model(input_ids=torch.tensor(first["ids"]), attention_mask=torch.tensor(first["mask"])).last_hidden_state
    m = torch.tensor(first["mask"], dtype=torch.float64).unsqueeze(-1)
    pooled = (states * m).sum(1) / m.sum(1)
    normalized = pooled / pooled.norm(dim=1, keepdim=True).clamp_min(1e-12)
    (normalized * torch.tensor(w)).sum().backward()
    from safetensors.torch import save_file
    save_file({name: p.grad.float().contiguous() for name, p in model.named_parameters()},
              os.path.join(out, "tiny_bert_gradients.safetensors"))
    with open(os.path.join(out, "tiny_bert_reference.json"), "w") as f:
        json.dump({"batches": batches, "gradient_weights": w.tolist()}, f)
    print(f"wrote {folder} and {out}/tiny_bert_reference.json")


def sentences(out):
    texts = []
    for pos in ["noun", "verb", "adj", "adv"]:
        with open(f"/usr/share/wordnet/data.{pos}", encoding="utf-8") as f:
            texts += [line.split("|", 1)[1].strip() for line in f if not line.startswith("  ") and "|" in line]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(texts[::len(texts) // 1000][:1000]) + "\n")


def check(model_dir, sentences, ours):
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(2)
    texts = [line.rstrip("\n") for line in open(sentences, encoding="utf-8")]
    import time

    model = SentenceTransformer(model_dir, device="cpu")
    start = time.perf_counter()
    reference = model.encode(texts, batch_size=32, normalize_embeddings=True)
    seconds = time.perf_counter() - start
    print(f"sentence-transformers: {len(texts)} sentences in {seconds:.2f} s ({len(texts) / seconds:.0f} sentences/s)")
    mine = np.load(ours)
    mine = mine / np.linalg.norm(mine, axis=1, keepdims=True)
    cos = (reference * mine).sum(1)
    print(f"{len(texts)} sentences: cosine min {cos.min():.6f}, mean {cos.mean():.6f}")
    sys.exit(0 if cos.min() >= 0.9999 else 1)


if __name__ == "__main__":
    if sys.argv[1] == "tiny":
        tiny(sys.argv[2])
    elif sys.argv[1] == "sentences":
        sentences(sys.argv[2])
    else:
        check(*sys.argv[2:5])
