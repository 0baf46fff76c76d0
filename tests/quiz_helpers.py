"""Helpers shared by the quiz tests."""

from __future__ import annotations


def all_strings(value) -> str:
    """Every string in a JSON document (keys too), unescaped, one per line.

    Searching this rather than the file's text finds a leaked key or explanation whatever
    JSON escaping the writer used.
    """
    if isinstance(value, dict):
        return "\n".join(f"{k}\n{all_strings(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(all_strings(v) for v in value)
    return value if isinstance(value, str) else ""
