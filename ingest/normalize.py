"""Text normalization and metadata sniffing for loaded documents.

Every offset in the system (chunks, citations, quotes) points into the *normalized* text, so
normalization must be deterministic and idempotent: loading the same file twice, or
re-normalizing an already normalized text, must give identical characters and offsets.
All functions here are pure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import unicodedata
from typing import Literal

import yaml

__all__ = [
    "content_hash",
    "date_from_filename",
    "detect_language",
    "extract_title",
    "normalize_text",
    "split_front_matter",
]

# Invisible characters that only get in the way of matching quotes against the text.
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad\u180e"), None)
# Unicode spaces (NBSP, en/em spaces, thin spaces, ideographic space) and tabs become a plain
# space; a run of them is collapsed later.
_SPACES = {cp: " " for cp in [0x09, 0xA0, 0x1680, 0x202F, 0x205F, 0x3000, *range(0x2000, 0x200B)]}
# Fullwidth digits and Latin letters only: fullwidth *punctuation* is ordinary Chinese typography
# and must survive (so NFKC, which would turn ，into a comma, is not an option).
_FULLWIDTH = {
    cp: cp - 0xFEE0
    for cp in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
_TRANSLATE = {**_INVISIBLE, **_SPACES, **_FULLWIDTH}

_OTHER_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Only well-formed entities (with the semicolon): a bare "&not" inside prose must stay as typed.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Markdown / backslash escapes of ASCII punctuation, e.g. `\$10`, `\*`, `1\.`.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|<>~&%'\"])")
_INLINE_SPACE = re.compile(r" {2,}")
_TRAILING_SPACE = re.compile(r" +$", re.MULTILINE)
_MANY_NEWLINES = re.compile(r"\n{3,}")


def _normalize_once(text: str) -> str:
    text = _OTHER_BREAKS.sub("\n", text)
    text = _CONTROL.sub("", text)
    text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    text = _ESCAPE.sub(r"\1", text)
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_TRANSLATE)
    text = _INLINE_SPACE.sub(" ", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def normalize_text(raw: str) -> str:
    """Bring any extracted text to the one canonical form that offsets point into.

    Steps can feed each other (`&amp;amp;` unescapes twice, `\\\\$` loses one backslash per
    pass), so the pass is repeated until nothing changes; that makes the function idempotent
    by construction. Every pass only removes or replaces characters, so it converges fast.
    """
    text = raw
    for _ in range(8):
        new = _normalize_once(text)
        if new == text:
            return new
        text = new
    return text


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2FA1F
        or 0xF900 <= cp <= 0xFAFF
    )


def detect_language(text: str) -> Literal["zh", "en"]:
    """Tell Chinese from English so the tokenizer and prompts pick the right language.

    One Han character carries about as much as a whole English word (~5 letters), so the
    CJK share among letters is compared with a low threshold.
    """
    letters = cjk = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if _is_cjk(ch):
                cjk += 1
    if letters == 0:
        return "en"
    return "zh" if cjk / letters >= 0.2 else "en"


def content_hash(text: str) -> str:
    """Fingerprint of a document's normalized text; a changed hash means re-index."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(.+?)\1")
_TITLE_MAX = 120


def _clean_title(line: str) -> str:
    m = _HEADING.match(line)
    if m:
        line = m.group(2)
    line = _EMPHASIS.sub(r"\2", line).strip().strip("*_").strip()
    line = re.sub(r"\s+", " ", line)
    if len(line) > _TITLE_MAX:
        cut = line[:_TITLE_MAX]
        # Cut at a word boundary when there is one (English); Chinese has none, keep the cut.
        if " " in cut[_TITLE_MAX // 2 :]:
            cut = cut[: cut.rfind(" ")]
        line = cut.rstrip(" ,;:") + "…"
    return line


def extract_title(text: str, fallback: str = "") -> str:
    """Pick a human title for a document: its first `# ` heading, else its first line.

    Consecutive top-level headings at the very start are joined ("中华人民共和国民法典" +
    "侵权责任编"), because code books split their name over two headings.
    """
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lines:
        return fallback
    h1 = [i for i, ln in enumerate(lines[:50]) if re.match(r"^#[ \t]", ln)]
    if h1:
        first = h1[0]
        parts = [_clean_title(lines[first])]
        nxt = first + 1
        while nxt < len(lines) and re.match(r"^#[ \t]", lines[nxt]) and len(parts) < 3:
            parts.append(_clean_title(lines[nxt]))
            nxt += 1
        return _clean_title(" ".join(p for p in parts if p)) or fallback
    return _clean_title(lines[0]) or fallback


_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_from_filename(name: str) -> str | None:
    """Read an ISO date embedded in a file name, e.g. `网络安全法(2016-11-07).md`.

    The bundled laws carry the adoption or revision date this way; invalid dates are ignored
    rather than trusted.
    """
    for m in _FILENAME_DATE.finditer(name):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None


_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S
)


def split_front_matter(raw: str) -> tuple[dict[str, str], str]:
    """Separate a YAML front matter block from the body text.

    Returns the block's scalar values as strings (dates come back as ISO strings) and the
    text without the block. A block that is not valid YAML mapping is left in the text, since
    a horizontal rule at the top of a file is ordinary markdown.
    """
    m = _FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return {}, raw
    if not isinstance(data, dict):
        return {}, raw
    meta = {
        str(k): (v.isoformat() if isinstance(v, dt.date) else str(v))
        for k, v in data.items()
        if v is not None and not isinstance(v, (dict, list))
    }
    return meta, raw[m.end() :]
