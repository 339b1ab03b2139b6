"""Code blocks are searchable, though plain text, excerpts and snippets leave them out."""

from __future__ import annotations

from dataclasses import replace

from incoming.index import reindex, search
from incoming.store.articles import save_drafts
from incoming.store.engine import Store
from tests.index.support import NOW, Text, add_feed, draft

HTML = (
    "<p>用 PyTorch 的融合注意力。</p>"
    '<pre><code class="language-python">out = F.scaled_dot_product_attention(q, k, v)\n'
    "梯度 = torch.autograd.grad(out)</code></pre>"
)


def _titles(store: Store, query: str) -> list[str]:
    with store.read() as connection:
        return [hit.title for hit in search(connection, query).hits]


def test_words_and_cjk_of_code_blocks_are_found(store: Store) -> None:
    article = replace(
        draft("code", Text("Fused attention", "用 PyTorch 的融合注意力。")), content_html=HTML
    )
    source_id = add_feed(store)
    with store.write() as connection:
        save_drafts(connection, source_id, [article], now=NOW)
    for query in ("scaled_dot_product_attention", '"torch autograd grad"', "梯度", "融合注意力"):
        assert _titles(store, query) == ["Fused attention"], query
    reindex(store)  # the rebuilt index reads code from the stored HTML again
    assert _titles(store, "scaled_dot_product_attention") == ["Fused attention"]
