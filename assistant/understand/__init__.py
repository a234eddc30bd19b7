"""A question (and its conversation) → one `Query`: asks, regions, concepts, follow-ups, key terms."""
