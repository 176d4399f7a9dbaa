from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from assistant.api.citation_links import (
    LinkRefused,
    PassageLink,
    link_secret,
    passage_url,
    sign,
    verify,
)

LINK = PassageLink("cn-regulations/网络安全法.md", 120, 180, expires=2_000_000_000)


def test_a_signed_link_verifies_and_any_change_breaks_it(tmp_path: Path) -> None:
    secret = link_secret(tmp_path)
    sig = sign(LINK, secret)
    assert verify(LINK, sig, secret, now=1_900_000_000) == LINK
    for changed in [
        PassageLink(LINK.doc_id, 119, 180, LINK.expires),
        PassageLink(LINK.doc_id, 120, 181, LINK.expires),
        PassageLink("cn-regulations/数据安全法.md", 120, 180, LINK.expires),
        PassageLink(LINK.doc_id, 120, 180, LINK.expires + 1),
    ]:
        with pytest.raises(LinkRefused) as refused:
            verify(changed, sig, secret, now=1_900_000_000)
        assert refused.value.status == 403
    with pytest.raises(LinkRefused) as other_server:
        verify(LINK, sign(LINK, b"another secret"), secret, now=1_900_000_000)
    assert other_server.value.status == 403


def test_an_expired_link_is_refused(tmp_path: Path) -> None:
    secret = link_secret(tmp_path)
    with pytest.raises(LinkRefused) as refused:
        verify(LINK, sign(LINK, secret), secret, now=LINK.expires + 1)
    assert refused.value.status == 410


def test_the_secret_is_private_and_shared_by_the_data_dir(tmp_path: Path) -> None:
    first = link_secret(tmp_path)
    assert link_secret(tmp_path) == first and len(first) == 32
    mode = stat.S_IMODE((tmp_path / "citation_links.key").stat().st_mode)
    assert mode == 0o600


def test_the_url_opens_the_chat_page_with_the_link(tmp_path: Path) -> None:
    secret = link_secret(tmp_path)
    url = urlsplit(passage_url("http://127.0.0.1:8000/", LINK, secret))
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:8000", "/")
    assert params == {
        "passage": LINK.doc_id,
        "start": "120",
        "end": "180",
        "expires": str(LINK.expires),
        "sig": sign(LINK, secret),
    }
