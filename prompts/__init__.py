"""Prompt templates live here as files, loaded and checked at start-up (see the answering issue)."""

__all__: list[str] = []
