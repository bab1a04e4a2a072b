"""Diwan archive core: records, permissions, audit, object storage and the HTTP/CLI entry points."""
