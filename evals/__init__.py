"""Evaluations of juesuan against hand-labelled questions (see docs/retrieval.md)."""

__all__: list[str] = []
