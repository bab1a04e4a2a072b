"""Job announcements: drafting, publishing, closing, the public listing and feeds."""
