"""A deterministic generated corpus of bilingual ML-like articles (~4 KB, formulas and code)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

TOPICS = ["Transformer", "扩散模型", "强化学习", "表示学习", "优化", "LLM", "NLP", "CV"]
TERMS = [
    "注意力",
    "梯度",
    "损失函数",
    "重参数",
    "采样",
    "编码器",
    "解码器",
    "词向量",
    "正则化",
    "批归一化",
    "残差连接",
    "学习率",
    "概率分布",
    "期望",
    "方差",
    "信息熵",
    "对比学习",
]
WORDS = [
    "attention",
    "gradient",
    "embedding",
    "softmax",
    "encoder",
    "decoder",
    "variance",
    "policy",
    "reward",
    "diffusion",
    "token",
    "layer",
    "norm",
    "optimizer",
    "sampling",
]
HAN = "的是在了和有这个模型我们数据训练时可以通过一种使用方法参数计算表示学习结构问题"
FORMULAS = [
    r"\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V",
    r"\mathbb{E}_{z\sim q_\phi(z|x)}\left[\log p_\theta(x|z)\right]",
    r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon",
    r"\nabla_\theta J(\theta) = \mathbb{E}\left[\nabla_\theta \log \pi_\theta(a|s) A(s,a)\right]",
    r"\theta_{t+1} = \theta_t - \eta \frac{\hat m_t}{\sqrt{\hat v_t}+\epsilon}",
]
CODE = """<pre><code class="language-python">import torch

def attention(q, k, v):
    scores = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5
    return scores.softmax(dim=-1) @ v
</code></pre>"""


def _sentence(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(3, 6)):
        choice = rng.random()
        if choice < 0.5:
            parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(3, 9))))
        elif choice < 0.75:
            parts.append(rng.choice(TERMS))
        else:
            parts.append(f" {rng.choice(WORDS)} ")
    return (
        "".join(parts) + rng.choice("。，；！？") if rng.random() < 0.3 else "".join(parts) + "。"
    )


def article_html(rng: random.Random, size: int = 4000) -> str:
    """About `size` bytes of HTML: paragraphs of mixed text, inline and display math, code."""
    blocks: list[str] = []
    length = 0
    while length < size:
        kind = rng.random()
        if kind < 0.7:
            text = "".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
            formula = escape(rng.choice(FORMULAS))
            block = f"<p>{escape(text)} \\({formula}\\) {escape(_sentence(rng))}</p>"
        elif kind < 0.85:
            block = f"<p>\\[{escape(rng.choice(FORMULAS))}\\]</p>"
        elif kind < 0.93:
            block = CODE
        else:
            block = f"<h2>{escape(rng.choice(TERMS))} {rng.choice(WORDS)}</h2>"
        blocks.append(block)
        length += len(block.encode())
    return "\n".join(blocks)


def rss_feed(feed_number: int, entries: int, *, seed: int = 0) -> bytes:
    """One RSS 2.0 feed of generated articles, newest first."""
    rng = random.Random(seed * 1_000_003 + feed_number)
    start = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=feed_number)
    items = []
    for n in reversed(range(entries)):
        title = f"{rng.choice(TERMS)}与{rng.choice(WORDS)}：第 {n} 篇"
        published = format_datetime(start + timedelta(hours=n))
        items.append(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://feed{feed_number}.example.org/posts/{n}</link>"
            f"<guid>feed{feed_number}-post{n}</guid><pubDate>{published}</pubDate>"
            f"<category>{rng.choice(TOPICS)}</category>"
            f"<description>{escape(article_html(rng))}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Feed {feed_number} 机器学习笔记</title>"
        f"<link>https://feed{feed_number}.example.org/</link>"
        f"<description>generated</description>{''.join(items)}</channel></rss>"
    ).encode()


def feeds(count: int, entries: int, *, seed: int = 0) -> Iterator[tuple[str, bytes]]:
    for number in range(count):
        yield f"/feeds/{number}.xml", rss_feed(number, entries, seed=seed)
