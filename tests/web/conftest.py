"""Fixtures for the web tests live in tests/conftest.py, shared with the browser tests."""
