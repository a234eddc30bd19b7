"""Cited retrieval assistant for Chinese business-environment policy (营商环境, 放管服)."""

__version__ = "0.1.0"
