"""Answering: what writes the reply once retrieval has chosen the passages.

`answerer` holds the `Answerer` protocol and the extractive answerer the service builds once;
the LLM answerer (`assistant.llm`) follows the same protocol and falls back to the extractive
one. The rules they share live beside them: `extractive` (sentence choice, evidence),
`answer_type` (the kind of value a question asks for), `sentences`, `prompts`.
"""
