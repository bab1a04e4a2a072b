"""Ingestion: file intake checks, text-layer extraction, the page pipeline and its Celery tasks."""
