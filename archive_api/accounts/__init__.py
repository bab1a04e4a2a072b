"""Departments, staff users, API tokens and web sessions."""
