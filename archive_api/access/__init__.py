"""Who may read which record: department ownership, grants and the principals used in search."""
