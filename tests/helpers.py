"""Helpers every suite under tests/ shares (the backend's own tests live apart, in backend/tests)."""

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (for a server a test starts, or a URL it must know first)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
