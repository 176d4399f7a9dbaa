"""Claim checking: does a cited passage say what a sentence claims, and where exactly.

LLM mode lets a model write the answer, and this package decides which of its sentences the
user sees (`verify.verify_answer`). It holds no model code and needs no model, disk or network:
`markers` reads the model's `[n]` citation markers, `figures` and `facts` reduce a sentence
and a passage to comparable facts (figures, names, content terms), `citations` finds the
quote that supports a claim, and `verify` applies the support rules. The negation, modality
and cross-language rules it also applies still live in `assistant.llm` (`scopes`, `cues`,
`crosslingual`).
"""
