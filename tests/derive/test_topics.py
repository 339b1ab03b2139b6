"""normalize_topic: one slug per topic however it is typed."""

from __future__ import annotations

import pytest

from incoming.derive import normalize_topic


@pytest.mark.parametrize("name", ["NLP", "nlp", "ＮＬＰ", " nlp ", "\tNLP\n"])
def test_spellings_of_one_topic_share_a_slug(name):
    assert normalize_topic(name)[0] == "nlp"


@pytest.mark.parametrize(
    ("name", "slug", "display"),
    [
        ("Machine  Learning", "machine-learning", "Machine Learning"),
        ("深度学习", "深度学习", "深度学习"),
        ("深度 学习", "深度-学习", "深度 学习"),
        ("A/B Testing?#%", "ab-testing", "A/B Testing?#%"),
        ("C++", "c++", "C++"),
        ("Node.js", "node.js", "Node.js"),
        ("Ｐｙｔｈｏｎ　３", "python-3", "Python 3"),
        ("Café", "café", "Café"),
        ("Straße", "strasse", "Straße"),
        ("- lead -", "lead", "- lead -"),
    ],
)
def test_slug_and_display_name(name, slug, display):
    assert normalize_topic(name) == (slug, display)


@pytest.mark.parametrize("name", ["", "   ", "\u3000", "x" * 65, "?#%/", "---"])
def test_unusable_names(name):
    assert normalize_topic(name) is None


def test_longest_name_allowed():
    assert normalize_topic("x" * 64) == ("x" * 64, "x" * 64)
