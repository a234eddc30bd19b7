"""Retrieval: tokenisation, lexical (bm25s) and dense (FAISS) indexes, fusion."""
