from ingest.tokenize import content_terms, tokenize


def test_chinese_runs_are_segmented_with_search_mode() -> None:
    tokens = tokenize("网络运营者应当履行安全保护义务")
    assert "网络" in tokens and "运营者" in tokens and "义务" in tokens
    assert "应当" not in tokens  # a stopword


def test_english_is_stemmed_and_identifiers_kept_whole() -> None:
    tokens = tokenize("Providers offering services under § 744.23(a), ECCN 3A090 and B11 permits")
    assert "provid" in tokens and "servic" in tokens
    assert {"744.23", "3a090", "b11"} <= set(tokens)
    assert "under" not in tokens


def test_same_function_on_both_sides_matches_inflections() -> None:
    assert content_terms("licences required") & content_terms("a licence is required")


def test_mixed_text_keeps_both_languages() -> None:
    tokens = tokenize("出口管制 export controls")
    assert "出口" in tokens and "export" in tokens
