"""Cleaning and deriving one typical entry, beside feedparser parsing the same entry.

Run: `.venv/bin/python -m bench.clean` (prints ms per entry; best of 60 runs each).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape

import feedparser

from incoming.clean import clean_html, latex_to_mathml
from incoming.derive import derive_text

ZH = (
    "自注意力机制（self-attention）是 Transformer 的核心组件。给定输入序列，我们为每个位置"
    "计算查询、键和值，然后用 softmax 归一化注意力权重。"
)
EN = (
    "In practice the scaled dot-product attention is computed in batches, and the "
    "<a href='/posts/mask'>masking</a> trick keeps the decoder causal. "
)
# A typical entry: about 4 KB of mixed Chinese and English, four formulas, a code block.
ENTRY = (
    f"<h2>第 1 节：注意力</h2><p>{ZH} 设 \\(Q = XW_Q\\)、\\(K = XW_K\\)，则</p>"
    r"<p>\[\mathrm{Attention}(Q,K,V) = "
    r"\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V\]</p>"
    f"<p>{EN * 3}</p><p>{ZH * 3} 其中 \\(d_k\\) 是键的维度。</p>"
    f"<p><img src='/img/attn.png' alt='attention'> {EN * 2}</p>"
    "<pre><code class='language-python'>def attention(q, k, v):\n"
    "    w = softmax(q @ k.T / math.sqrt(k.shape[-1]))\n    return w @ v\n</code></pre>"
    f"<p>{ZH * 2}</p><ul><li>{EN}</li><li>{ZH}</li></ul>"
    f"<blockquote><p>{EN * 2}</p></blockquote><p>{ZH * 3}</p><p>{EN * 2}</p><p>{ZH}</p>"
)


def fastest_ms(work: Callable[[], object], runs: int = 60) -> float:
    """The best of several runs: what the code costs, less what other processes cost it."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>t</title><description>{escape(ENTRY)}</description></item>"
        "</channel></rss>"
    ).encode()

    def pipeline() -> None:
        derive_text(clean_html(ENTRY, "https://blog.example/posts/1.html"))

    def cold_pipeline() -> None:
        latex_to_mathml.cache_clear()
        pipeline()

    parse = fastest_ms(lambda: feedparser.parse(rss))
    warm, cold = fastest_ms(pipeline), fastest_ms(cold_pipeline)
    print(f"entry of {len(ENTRY.encode())} bytes, best of 60 runs:")
    print(f"  feedparser.parse (default options): {parse:.2f} ms")
    print(f"  clean_html + derive_text, formulas cached:   {warm:.2f} ms ({warm / parse:.0%})")
    print(f"  clean_html + derive_text, formulas converted: {cold:.2f} ms ({cold / parse:.0%})")


if __name__ == "__main__":
    main()
