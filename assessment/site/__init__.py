"""Helpers for the built book: its pages as data, PDF handouts, a headless browser."""
