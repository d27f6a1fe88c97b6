"""Fixtures for the delivery tests: a recording HTTP server per test."""

from __future__ import annotations

import pytest
from delivery_helpers import RecordingServer


@pytest.fixture
def http_server():
    server = RecordingServer()
    try:
        yield server
    finally:
        server.close()
