"""Retrieval: what a question becomes and the passages it finds.

`query` prepares a question once (standalone text, article aliases, glossary terms in the
other language); `glossary` holds the bilingual glossary and the table of law names (its .tsv
files sit beside it); `absent` finds the names a question gives that nothing indexed holds;
`index` opens the index for reading (Chroma, the embedding model, BM25); `hybrid` runs the
dense and lexical searches and `fusion` fuses their rankings by reciprocal rank; `langchain`
is the LangChain retriever over `hybrid.HybridSearch`, kept apart because LangChain is slow to
import. Import from the modules themselves: this package re-exports nothing.
"""
