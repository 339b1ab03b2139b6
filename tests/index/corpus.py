"""A generated bilingual corpus and the plain scan that says which articles hold a string."""

from __future__ import annotations

import random

import regex

from incoming.index.tokens import fold
from tests.index.support import Text

_CHINESE_WORDS = """
    注意力 机制 模型 训练 梯度 检查点 重参数 技巧 扩散 强化 学习 策略 优化 的 了 是 在
    向量 量化 编码器 解码器 位置 编码 旋转 混合 专家 键值 缓存 熵 损失 函数 采样 温度
"""
_ENGLISH_WORDS = """
    Transformer attention DPO PPO RLHF LoRA softmax gradient checkpointing diffusion score
    encoder decoder token embedding KV cache MoE RoPE BERT GPT loss entropy sampling the of
"""
CHINESE = _CHINESE_WORDS.split()
ENGLISH = _ENGLISH_WORDS.split()
WIDE = ["ＮＬＰ", "ＧＰＵ", "Ｔｒａｎｓｆｏｒｍｅｒ", "ｂｅｒｔ"]
FORMULAS = [r"\frac{QK^\top}{\sqrt{d_k}}", r"x_t = \sqrt{\bar\alpha_t} x_0", r"\mathbb{E}[\log p]"]
PUNCTUATION = ["。", "，", "、", "；", ". ", ", ", " - ", "：", "（", "）", "“", "”", "_"]

# A character of a script written without spaces: the scan's own idea of CJK, not the
# tokenizer's, so the two are checked against each other.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}"
_WORD_CHARACTER = regex.compile(rf"[^\W_{_CJK}]")
CJK_RUN = regex.compile(rf"[{_CJK}]+")
LATIN_WORD = regex.compile(rf"[^\W_{_CJK}]+")


def _piece(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(CHINESE)
    if roll < 0.8:
        return f" {rng.choice(ENGLISH)} "
    if roll < 0.85:
        return rng.choice(WIDE)
    if roll < 0.9:
        return f" {rng.choice(FORMULAS)} "
    return rng.choice(PUNCTUATION)


def generated_texts(count: int, seed: int = 7) -> list[Text]:
    rng = random.Random(seed)
    return [
        Text(
            title="".join(_piece(rng) for _ in range(rng.randint(1, 5))).strip(),
            body="".join(_piece(rng) for _ in range(rng.randint(20, 80))).strip(),
        )
        for _ in range(count)
    ]


def holds_cjk(text: Text, needle: str) -> bool:
    """The folded title or text contains the CJK string."""
    return needle in fold(text.title) or needle in fold(text.body)


def holds_word(text: Text, word: str) -> bool:
    """The folded title or text has the word, not as part of a longer word."""
    for folded in (fold(text.title), fold(text.body)):
        start = folded.find(word)
        while start >= 0:
            end = start + len(word)
            before = folded[start - 1] if start else " "
            after = folded[end] if end < len(folded) else " "
            if not (_WORD_CHARACTER.match(before) or _WORD_CHARACTER.match(after)):
                return True
            start = folded.find(word, start + 1)
    return False


def holds(text: Text, needle: str) -> bool:
    return holds_cjk(text, needle) if CJK_RUN.fullmatch(needle) else holds_word(text, needle)
