"""Real servers for the scale-out test configuration, started once per test run on 127.0.0.1.

`DIWAN_TEST_BACKENDS=scale` runs the suite against PostgreSQL, Redis, an S3 server and
OpenSearch or Elasticsearch instead of the embedded backends. Each module here exposes
`start(workdir: Path) -> server`, which installs what is missing, starts the server on
127.0.0.1 and waits until it answers; the server object has `settings_for(test_id: str) ->
dict[str, str]`, the DIWAN_* variables that give one test its own isolated database, bucket,
index or key space, and `stop()`.
"""

import socket


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
