"""Claim checking: does a cited passage say what a sentence claims, and where exactly.

LLM mode lets a model write the answer, and this package decides which of its sentences the
user sees (`verify.verify_answer`). It holds no model code and needs no model, disk or network:
`markers` reads the model's `[n]` citation markers, `figures` and `facts` reduce a sentence
and a passage to comparable facts (figures, names, content terms), `citations` finds the
quote that supports a claim, `names` which of a claim's names a passage lacks in every
spelling, `cues` and `scopes` read negation and modality clause by clause, `crosslingual`
compares a claim with a passage in the other language, and `verify` applies the support
rules.
"""
