"""Screening: the committee of each closed announcement, its decisions, the gate, and exam and interview sessions."""
