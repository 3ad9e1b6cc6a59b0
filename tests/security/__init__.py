"""Security tests: endpoints and keys, uploads, prompt injection (docs/security.md)."""
