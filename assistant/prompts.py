"""Prompt templates and the fixed sentences every answerer shares.

The abstention sentence is a named constant so that tests, evals and clients can recognise an
abstention by identity instead of by fuzzy text.
"""

from __future__ import annotations

#: The one sentence complyqa answers with when the indexed sources do not answer a question.
ABSTENTION = "The indexed sources do not contain an answer to this question."
