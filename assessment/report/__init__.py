"""Reporting: gradebooks, roster and targets in; pass rates per group, unit and level out."""
