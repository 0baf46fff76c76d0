"""What a request of the service works with, kept on the Flask app by ``create_app``: the
service's database engine, the course (bank, quizzes.yml, the book's pages) and the nbgrader
gradebook."""

from __future__ import annotations

import threading

from flask import current_app

_opening = threading.Lock()


def engine():
    return current_app.extensions["service_engine"]


def reader():
    """The engine for a single read that needs no transaction (autocommit, same pool)."""
    return current_app.extensions["service_reader"]


def course():
    return current_app.extensions["service_course"]


def gradebook():
    """This worker's nbgrader ``Gradebook``, opened at its first use (after gunicorn has forked)
    and kept: opening one runs a dozen queries (nbgrader checks every table and the course
    row) and starts an engine whose compiled statements are then lost, which made each
    online submission several times slower. Its threads each get a session of their own."""
    extensions = current_app.extensions
    with _opening:
        if "service_gradebook" not in extensions:
            from assessment.grading.record import course_gradebook

            extensions["service_gradebook"] = course_gradebook(
                current_app.config["GRADEBOOK_URL"])
    return extensions["service_gradebook"]
