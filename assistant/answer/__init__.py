"""A `Query` and its hits → one `Answer`: passages, selection, composition, abstention, departments."""
