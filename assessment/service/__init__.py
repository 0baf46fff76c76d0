"""The online quiz service (``assessment serve``): sign-in, online rounds, trainer pages.

Flask application factory in ``app.py``; database tables in ``models.py`` (schema in Alembic
``migrations/``); one blueprint per area: ``auth.py``, ``attempts.py``, ``trainer.py``.
"""
