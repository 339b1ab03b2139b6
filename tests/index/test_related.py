"""Related articles: the ones sharing an article's rarest terms, best first."""

from __future__ import annotations

from incoming.index import related_articles
from incoming.store.engine import Store
from tests.index.support import Text, add_feed, save

COMMON = "模型 训练 the model learns from data 数据 "


def related(store: Store, article_id: int, limit: int = 5) -> list[int]:
    with store.read() as connection:
        return [other for other, _ in related_articles(connection, article_id, limit=limit)]


def test_articles_sharing_rare_terms_come_first(store: Store) -> None:
    vq, vq_too, unrelated, *_ = save(
        store,
        add_feed(store),
        [
            Text("VQ-VAE", f"{COMMON} codebook commitment 码本 量化 codebook 码本"),
            Text("VQ-GAN", f"{COMMON} codebook 码本 量化 commitment discriminator"),
            Text("斑马", "zebra 斑马 savanna 草原"),
            *[Text(f"Note {n}", COMMON * 3) for n in range(6)],
        ],
    )
    found = related(store, vq)
    assert found[0] == vq_too
    assert vq not in found
    assert unrelated not in found
    assert related(store, vq, limit=1) == [vq_too]


def test_an_article_sharing_nothing_rare_has_no_related_articles(store: Store) -> None:
    (alone,) = save(store, add_feed(store), [Text("!!!", "。。。")])
    assert related(store, alone) == []
    assert related(store, 10**9) == []
