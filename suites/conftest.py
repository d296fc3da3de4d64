"""Suites hold fixture repositories with their own tests: those are data, not suite tests."""

collect_ignore_glob = ["*/repos/*", "*/specs/*"]
