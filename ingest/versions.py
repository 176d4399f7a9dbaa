"""Versions of one legal instrument and the period each text was in force.

A compliance answer goes wrong when a superseded text is quoted as current. Every document
states what it knows about itself (`VersionFacts`: which instrument it is a version of, when
it took effect, what its sidecar says), and `version_table` turns the facts of all versions of
an instrument into each text's `Validity`. The table depends on the other versions, so the
store recomputes it whenever a version is added or removed (the older text's end moves).

The rules, in one place:
- Instrument: the document id without its `(YYYY-MM-DD)` date and suffix, so
  `司法解释/X(2012-12-20).md` and `司法解释/X(2021-01-26).md` are two versions of
  `司法解释/X`; a sidecar `superseded_by` puts the document in its successor's instrument.
- Effective from: the sidecar's `effective_from`; else the `YYYY年M月D日 施行` line of the
  text's info block or its closing `本法自…起施行` article, when not before the file-name
  date (an amended law still ends with its first text's date); else the file-name date.
- A text ends when the next version takes effect (superseded), on its sidecar's `repealed`
  date, or on its sidecar's `effective_to` (a newer text exists that is not in the corpus).
- Retrieval keeps a text while it is the best the corpus has: a text whose successor is not
  in the corpus stays searchable, flagged, rather than leaving the instrument unanswerable.

All functions here are pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ingest.errors import DocumentParseError
from ingest.normalize import date_from_filename

__all__ = [
    "NO_START",
    "OPEN_END",
    "STATED_KEYS",
    "Status",
    "Validity",
    "VersionFacts",
    "day_number",
    "describe",
    "facts_of",
    "instrument_id",
    "stated",
    "version_table",
]

#: Day numbers (YYYYMMDD) bounding a text with no known start or end, so a numeric range
#: filter (`valid_from <= d < valid_to`) admits it on every date.
NO_START = 0
OPEN_END = 99991231

#: Sidecar keys (`*.meta.json`) that describe a document's place among its versions.
STATED_KEYS = ("effective_from", "effective_to", "superseded_by", "repealed", "status")

_FILE_DATE = re.compile(r"\(\d{4}-\d{2}-\d{2}\)$")
_INFO_END = "<!-- INFO END -->"
_CN_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_INFO_EFFECTIVE = re.compile(_CN_DATE + r"\s*施行")
_CLOSING_EFFECTIVE = re.compile(
    r"本(?:法|解释|规定|条例|决定|办法|细则|规则|意见)自" + _CN_DATE + r"起施行"
)


class Status(StrEnum):
    """Where a text stands on a given day."""

    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"
    REPEALED = "repealed"
    AMENDED = "amended_not_in_corpus"
    NOT_YET = "not_yet_in_force"


@dataclass(frozen=True)
class VersionFacts:
    """What one document says about itself; the input of `version_table`."""

    doc_id: str
    instrument: str
    effective_from: str | None = None  # ISO date
    file_date: str | None = None  # the date in the file name, for ordering
    stated_to: str | None = None  # sidecar `effective_to`
    superseded_by: str | None = None  # sidecar link, resolved to a document id
    repealed: str | None = None
    note: str | None = None  # sidecar `status`, shown as written

    # A manifest record keeps the facts its document stated, so the versions of an instrument
    # can be recomputed from the manifest alone when another version arrives or leaves.
    _STORED = {
        "effective_from": "fact_effective_from",
        "file_date": "fact_file_date",
        "stated_to": "fact_effective_to",
        "superseded_by": "fact_superseded_by",
        "repealed": "fact_repealed",
        "note": "fact_note",
    }

    def to_metadata(self) -> dict[str, str]:
        """Flat fields for a manifest record (the instrument is stored with the validity)."""
        return {stored: getattr(self, name) or "" for name, stored in self._STORED.items()}

    @classmethod
    def from_metadata(cls, doc_id: str, meta: Mapping[str, object]) -> VersionFacts:
        values = {name: str(meta.get(stored) or "") or None for name, stored in cls._STORED.items()}
        return cls(doc_id=doc_id, instrument=str(meta["instrument"]), **values)


@dataclass(frozen=True)
class Validity:
    """The period one text was the instrument's text, and why it ended."""

    instrument: str
    effective_from: str | None = None
    effective_to: str | None = None
    end: Status | None = None  # SUPERSEDED, REPEALED or AMENDED once the text ended
    superseded_by: str | None = None
    note: str | None = None
    valid_from: int = NO_START  # retrieval bounds: in force on d iff valid_from <= d < valid_to
    valid_to: int = OPEN_END

    @property
    def versioned(self) -> bool:
        """Whether anything is known about this text's period (a news article has none)."""
        return bool(self.effective_from or self.effective_to or self.end or self.note)

    def status_on(self, day: dt.date) -> Status | None:
        """The text's status on `day`; None for a document without version information."""
        if not self.versioned:
            return None
        if self.effective_from and day.isoformat() < self.effective_from:
            return Status.NOT_YET
        if self.end is not None and (
            self.effective_to is None or day.isoformat() >= self.effective_to
        ):
            return self.end
        return Status.IN_FORCE

    def to_metadata(self) -> dict[str, str | int]:
        """Flat fields for Chroma metadata; every key always present, so updates overwrite."""
        return {
            "instrument": self.instrument,
            "effective_from": self.effective_from or "",
            "effective_to": self.effective_to or "",
            "version_end": self.end.value if self.end else "",
            "superseded_by": self.superseded_by or "",
            "status_note": self.note or "",
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }

    @classmethod
    def from_metadata(cls, meta: Mapping[str, object]) -> Validity | None:
        """The validity stored by `to_metadata`, or None when the record predates versions."""
        if "valid_to" not in meta:
            return None

        def text(key: str) -> str | None:
            value = meta.get(key)
            return str(value) if value not in (None, "") else None

        end = text("version_end")
        return cls(
            instrument=str(meta.get("instrument", "")),
            effective_from=text("effective_from"),
            effective_to=text("effective_to"),
            end=Status(end) if end else None,
            superseded_by=text("superseded_by"),
            note=text("status_note"),
            valid_from=int(meta.get("valid_from", NO_START)),  # type: ignore[call-overload]
            valid_to=int(meta.get("valid_to", OPEN_END)),  # type: ignore[call-overload]
        )


def day_number(day: dt.date | str) -> int:
    """A date as the YYYYMMDD number the retrieval filters compare."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return day.year * 10000 + day.month * 100 + day.day


def instrument_id(doc_id: str) -> str:
    """The instrument a document is a version of: its id without date and suffix."""
    folder, _, name = doc_id.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _FILE_DATE.sub("", stem)
    return f"{folder}/{stem}" if folder else stem


def stated(meta: Mapping[str, str]) -> dict[str, str]:
    """The version keys a document's metadata states (sidecar), for hashing and storing."""
    return {k: meta[k] for k in STATED_KEYS if meta.get(k)}


def _iso(value: str, key: str, doc_id: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise DocumentParseError(
            f"{doc_id}: metadata '{key}' must be a date like 2021-03-01, not {value!r}; "
            "fix its .meta.json sidecar"
        ) from exc


def _cn_date(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None


def _effective_in_text(text: str, not_before: str | None) -> str | None:
    """The date the text itself says it took effect, if it is this version's date."""
    head, found, _ = text.partition(_INFO_END)
    candidates = []
    if found:
        candidates.append(_cn_date(next(reversed(list(_INFO_EFFECTIVE.finditer(head))), None)))
        closing = list(_CLOSING_EFFECTIVE.finditer(text))
        candidates.append(_cn_date(closing[-1] if closing else None))
    for day in candidates:
        if day and (not_before is None or day >= not_before):
            return day
    return None


def facts_of(doc_id: str, text: str, meta: Mapping[str, str]) -> VersionFacts:
    """What a loaded document says about its version (see the module docstring's rules)."""
    file_date = date_from_filename(doc_id.rsplit("/", 1)[-1])
    sidecar = stated(meta)
    effective_from = (
        _iso(sidecar["effective_from"], "effective_from", doc_id)
        if "effective_from" in sidecar
        else _effective_in_text(text, file_date) or file_date
    )
    successor = sidecar.get("superseded_by")
    if successor and "/" not in successor and "/" in doc_id:
        successor = f"{doc_id.rsplit('/', 1)[0]}/{successor}"  # a name in the same folder
    return VersionFacts(
        doc_id=doc_id,
        instrument=instrument_id(successor or doc_id),
        effective_from=effective_from,
        file_date=file_date,
        stated_to=_iso(sidecar["effective_to"], "effective_to", doc_id)
        if "effective_to" in sidecar
        else None,
        superseded_by=successor,
        repealed=_iso(sidecar["repealed"], "repealed", doc_id) if "repealed" in sidecar else None,
        note=sidecar.get("status"),
    )


def version_table(facts: Iterable[VersionFacts]) -> dict[str, Validity]:
    """Each document's validity, from the facts of every version of its instrument(s)."""
    by_instrument: dict[str, list[VersionFacts]] = {}
    for f in facts:
        by_instrument.setdefault(f.instrument, []).append(f)
    table: dict[str, Validity] = {}
    for instrument, versions in by_instrument.items():
        versions.sort(
            key=lambda f: (f.effective_from or f.file_date or "", f.file_date or "", f.doc_id)
        )
        for f, successor in zip(versions, [*versions[1:], None], strict=True):
            table[f.doc_id] = _validity(instrument, f, successor)
    return table


def _validity(instrument: str, f: VersionFacts, successor: VersionFacts | None) -> Validity:
    start = f.effective_from or f.file_date
    end: Status | None = None
    to: str | None = None
    closes = False  # whether retrieval stops admitting the text at `to`
    if f.repealed:
        end, to, closes = Status.REPEALED, f.repealed, True
    elif successor is not None:
        end, to = Status.SUPERSEDED, successor.effective_from or successor.file_date
        closes = to is not None
    elif f.superseded_by:
        end, to = Status.SUPERSEDED, f.stated_to
    elif f.stated_to:
        end, to = Status.AMENDED, f.stated_to
    return Validity(
        instrument=instrument,
        effective_from=start,
        effective_to=to,
        end=end,
        superseded_by=successor.doc_id if successor else f.superseded_by,
        note=f.note,
        valid_from=day_number(start) if start else NO_START,
        valid_to=day_number(to) if closes and to else OPEN_END,
    )


_LABELS = {
    Status.IN_FORCE: "in force",
    Status.SUPERSEDED: "superseded",
    Status.REPEALED: "repealed",
    Status.AMENDED: "amended, newer text not in corpus",
    Status.NOT_YET: "not yet in force",
}


def describe(
    status: str | None,
    effective_from: str | None,
    effective_to: str | None,
    note: str | None = None,
) -> str | None:
    """One line a reader sees beside a citation, e.g. `superseded · text in force 2013-01-01
    to 2021-03-01` or `in force · since 2021-03-01`; None without version information."""
    if status is None:
        return None
    kind = Status(status)
    if not note:
        label = _LABELS[kind]
    elif kind in (Status.IN_FORCE, Status.AMENDED):
        label = note  # the sidecar's own words say best what is missing
    else:
        label = f"{_LABELS[kind]}: {note}"
    if effective_from and effective_to:
        period = f"text in force {effective_from} to {effective_to}"
    elif effective_from:
        period = {Status.IN_FORCE: "since", Status.NOT_YET: "takes effect"}.get(
            kind, "in force from"
        ) + f" {effective_from}"
    elif effective_to:
        period = f"until {effective_to}"
    else:
        return label
    return f"{label} · {period}"
