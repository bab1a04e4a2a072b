"""Recruitment pages: the public job listing, staff pages for announcements and statistics, applicants."""
