"""Yearly recruitment figures: imported history and live counts."""
