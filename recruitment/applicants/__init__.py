"""Applicant accounts, mobile confirmation, the profile and CV, and documents uploaded once."""
