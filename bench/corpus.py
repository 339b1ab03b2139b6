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
# Templates: @A and @B become symbols, @N a number, so long formulas are nearly all distinct,
# as in real articles (in the d2l-zh / pumpkin-book notes, 93% of formula text is in formulas
# that occur once); the short SYMBOLS repeat, as `$x$` and `$\theta$` do.
FORMULA_TEMPLATES = [
    r"\mathrm{softmax}\left(\frac{Q_@A K_@B^\top}{\sqrt{d_@A}}\right)V + @N",
    r"\mathbb{E}_{z\sim q_\phi(z|@A)}\left[\log p_\theta(@A|z)\right] - @N\,\mathrm{KL}(@B)",
    r"x_@A = \sqrt{\bar\alpha_@A}\,x_0 + \sqrt{1-\bar\alpha_@B}\,\epsilon_{@N}",
    r"\nabla_\theta J = \mathbb{E}\left[\nabla_\theta \log \pi_\theta(@A|@B) A(@A,@B)\right]",
    r"\theta_{@A+1} = \theta_@A - \eta_{@N} \frac{\hat m_@B}{\sqrt{\hat v_@B}+\epsilon}",
    r"\mathcal{L}_{@A} = -\sum_{i=1}^{@N} y_i \log \hat y_i + \lambda \|W_@B\|_2^2",
    r"p(@A|@B) = \frac{p(@B|@A)\,p(@A)}{\int p(@B|t)\,p(t)\,dt} \approx @N",
]
SYMBOLS = ["x", "d_k", r"\theta", r"\mathbf{x}", r"\alpha_t", "L", r"\epsilon", "W_Q"]
LETTERS = ["t", "s", "k", "i", "j", "n", "m", "h", r"\tau", r"\ell", "x", "y", "z", "u", "v"]
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


def formula(rng: random.Random) -> str:
    """A long formula with its own symbols and number (or, one time in three, a short symbol)."""
    if rng.random() < 1 / 3:
        return rng.choice(SYMBOLS)
    tex = rng.choice(FORMULA_TEMPLATES).replace("@N", str(rng.randint(2, 999)))
    for name in ("@A", "@B"):
        tex = tex.replace(name, f"{{{rng.choice(LETTERS)}}}")
    return tex


def article_html(rng: random.Random, size: int = 4000) -> str:
    """About `size` bytes of HTML: paragraphs of mixed text, inline and display math, code."""
    blocks: list[str] = []
    length = 0
    while length < size:
        kind = rng.random()
        if kind < 0.7:
            text = "".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
            inline = escape(formula(rng))
            block = f"<p>{escape(text)} \\({inline}\\) {escape(_sentence(rng))}</p>"
        elif kind < 0.85:
            block = f"<p>\\[{escape(formula(rng))}\\]</p>"
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
