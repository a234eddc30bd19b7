"""Scoring against gold question sets."""
