"""Administration pages for the admin role: departments, users, grants and the audit log."""
