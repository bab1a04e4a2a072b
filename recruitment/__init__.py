"""Recruitment: announcements, applicant profiles, applications, screening and notifications."""
