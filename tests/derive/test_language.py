"""guess_language: the script mix decides."""

from __future__ import annotations

import pytest

from incoming.derive import guess_language

CASES = [
    ("Chinese", "自注意力机制是 Transformer 的核心组件。", "zh"),
    (
        "Chinese with many English terms",
        "我们用 PyTorch 实现 multi-head attention 和 layer norm。",
        "zh",
    ),
    ("English", "Attention is all you need.", "en"),
    (
        "English with a Chinese name",
        "An interview with the author of the book 深度学习 about attention models.",
        "en",
    ),
    ("Japanese", "注意機構はトランスフォーマーの中心です。", "ja"),
    ("Korean", "어텐션 메커니즘은 트랜스포머의 핵심입니다.", "ko"),
    ("empty", "", None),
    ("digits and symbols", "12345 + 67 = ?", None),
    ("one word", "Hi", None),
    ("Cyrillic", "Механизм внимания в трансформерах", None),
    ("half Latin, half Cyrillic", "attention models механизм внимания", None),
]


@pytest.mark.parametrize(("name", "text", "language"), CASES, ids=[case[0] for case in CASES])
def test_guess_language(name, text, language):
    assert guess_language(text) == language
