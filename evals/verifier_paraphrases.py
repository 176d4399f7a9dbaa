"""Hand-written rewrites of dev-set reference sentences for the verifier benchmark.

`PARAPHRASES` are faithful: each says what its source sentence says (reordered clauses,
synonyms, a translation into the other language, numbers written as words or digits), so a
correct verifier keeps them. `LOOSE` are deliberately loose restatements, still true, in the
way a fluent model summarises without copying the source's words; they measure which writing
style the verifier accepts. Keys are `{case id}s{sentence index}` of the reference answer.
"""

from __future__ import annotations

PARAPHRASES: dict[str, tuple[tuple[str, str], ...]] = {}

LOOSE: dict[str, tuple[str, ...]] = {}
