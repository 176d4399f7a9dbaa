"""Pair packing: question first and capped, passage truncated to the window, pads masked."""

from __future__ import annotations

from assistant.relevance.model import MODEL_DIR
from assistant.relevance.tokenizer import PairTokenizer, Vocabulary


def _vocab() -> Vocabulary:
    return Vocabulary.load(MODEL_DIR / "vocab.json")


def test_pairs_are_packed_with_specials_and_padding() -> None:
    v = _vocab()
    tok = PairTokenizer(v, max_length=32, max_question=8)
    ids, mask = tok.pack(
        ["short question", "a much longer question " * 10], ["passage " * 100, "p"]
    )
    assert ids.shape[0] == 2 and ids.shape[1] <= 32
    assert ids[0, 0] == v.bos and mask[0].sum() == 32
    row = ids[1, : mask[1].sum()]
    assert list(row).count(v.eos) == 2 and row[-1] == v.eos
    assert (ids[mask == 0] == v.pad).all()


def test_normalization_folds_width_and_spaces() -> None:
    tok = PairTokenizer(_vocab())
    assert tok.ids(["ＡＢＣ  １２３"]) == tok.ids(["ABC 123"])


def test_subset_keeps_specials_and_maps_ids() -> None:
    v = _vocab()
    small, kept = v.subset([10, 20, 30])
    assert len(small.pieces) == len(kept) <= 7
    assert small.pieces[small.unk] == v.pieces[v.unk]
    assert [small.pieces[kept.index(i)] for i in (10, 20, 30)] == [
        v.pieces[i] for i in (10, 20, 30)
    ]


def test_a_long_passage_is_read_as_overlapping_windows_behind_its_head() -> None:
    tok = PairTokenizer(_vocab(), max_length=48, max_question=8)
    q = tok.ids(["what is the fine"])[0]
    text = " ".join(f"word{i}" for i in range(120))
    windows = tok.windows(q, "Title § 1", text, limit=10)
    head = tok.ids(["Title § 1"])[0]
    assert len(windows) > 2
    assert all(w[: len(head)] == head for w in windows)
    assert all(len(w) <= tok.room(q) for w in windows)
    # Together the windows cover the whole text: its last piece is in the last window.
    assert windows[-1][-1] == tok.ids([text])[0][-1]
    assert len(tok.windows(q, "Title § 1", text, limit=2)) == 2


def test_a_passage_that_fits_is_one_window_as_pack_reads_it() -> None:
    tok = PairTokenizer(_vocab(), max_length=64)
    q = tok.ids(["what is the fine"])[0]
    (only,) = tok.windows(q, "Title", "a short passage")
    assert only == tok.ids(["Title\na short passage"])[0]
