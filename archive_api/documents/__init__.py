"""Archive records: stored originals, documents, pages and ingestion batches."""
