"""What counts as a real change: the text readers see, not dates, cache-busters or spacing."""

from __future__ import annotations

from incoming.derive.fingerprint import fingerprint, steady_url

TEXT = "Attention costs O(n²) in the sequence length; 注意力的代价。"


def test_churn_leaves_the_fingerprint_alone() -> None:
    base = fingerprint("Title", TEXT, "<p>x</p>")
    assert fingerprint(" Title ", f"  {TEXT}\n", "<p>y</p>") == base  # spacing; html outside code
    stamped = f"{TEXT} Generated 2026-12-03T19:40:05.123+00:00 at 19:40:05, build 1764790805."
    assert fingerprint("Title", stamped, "") == fingerprint(
        "Title", f"{TEXT} Generated 2025-01-01 08:00:00Z at 08:00:00, build 1700000000123.", ""
    )


def test_a_real_change_changes_it() -> None:
    base = fingerprint("Title", TEXT)
    assert fingerprint("Title (revised)", TEXT) != base
    assert fingerprint("Title", TEXT.replace("O(n²)", "O(n)")) != base
    assert fingerprint("Title", TEXT, "<pre><code>a = 1</code></pre>") != fingerprint(
        "Title", TEXT, "<pre><code>a = 2</code></pre>"
    )
    assert fingerprint("Title", f"{TEXT} Published 2025-01-01.") != fingerprint(
        "Title", f"{TEXT} Published 2025-01-02."
    )  # a date alone is content


def test_steady_url_drops_tracking_and_fragments_only() -> None:
    assert steady_url("HTTPS://Blog.Example.org/a?utm_source=rss&id=3&fbclid=x#comments") == (
        "https://blog.example.org/a?id=3"
    )
    assert steady_url("https://blog.example.org/a?page=2") != steady_url(
        "https://blog.example.org/a?page=3"
    )
    assert steady_url(None) is None
