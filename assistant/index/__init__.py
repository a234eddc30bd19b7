"""Clauses → a built index: build, load, stores, executors, the lexical and dense indexes, the embedder."""
