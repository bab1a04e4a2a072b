"""Optical character recognition of page images with Tesseract (Arabic and English)."""
