"""Full-text search: Arabic and English analysis, query parsing, highlighting and the backends."""
