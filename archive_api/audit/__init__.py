"""Append-only, hash-chained audit log of searches, views, downloads, grants and decisions."""
