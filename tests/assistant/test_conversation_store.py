"""Conversation persistence for `/v1/chat` (assistant/conversations.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.conversations import ConversationNotFound, ConversationStore
from assistant.models import Turn


def test_turns_persist_in_order_and_belong_to_one_key(tmp_path: Path) -> None:
    store = ConversationStore.in_data_dir(tmp_path)
    cid = store.create("key-a")
    for i in range(5):
        store.append(cid, Turn(question=f"q{i}", answer=f"a{i}", doc_ids=[f"g/d{i}"]))
    reopened = ConversationStore.in_data_dir(tmp_path)
    conv = reopened.get(cid, "key-a")
    assert [t.question for t in conv.turns] == ["q0", "q1", "q2", "q3", "q4"]
    assert conv.turns[2].doc_ids == ["g/d2"]
    assert [t.question for t in reopened.get(cid, "key-a", last=2).turns] == ["q3", "q4"]
    with pytest.raises(ConversationNotFound):
        reopened.get(cid, "key-b")
    with pytest.raises(ConversationNotFound):
        reopened.get("conv_missing", "key-a")
