"""Answering: what writes the reply once retrieval has chosen the passages.

`answerer` holds the `Answerer` protocol and the extractive answerer the service builds once;
`llm` is the LLM answerer, which follows the same protocol, has its draft checked by
`assistant.evidence` and falls back to the extractive one. Beside them: `extractive`
(sentence choice and evidence, pure), `by_relevance` (the opt-in choice of sentences by the
relevance model), `answer_type` (the kind of value a question asks for), `prompts` (the
templates of `prompts/`), `contradictions` (sources that disagree).
"""
