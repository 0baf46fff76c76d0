"""Grading without running a trainee's code: keys, scores, gradebook rows, hand-ins, command.

``key`` reads the trainer-side key of a quiz, ``score`` scores answers with the same checker as
the notebooks' hidden tests, ``record`` writes nbgrader gradebook rows, ``handin`` reads a
submitted notebook as data (``ast``, never ``exec``), ``feedback`` lays out the autograded
notebooks that ``nbgrader generate_feedback`` renders, ``cli`` is ``assessment grade``,
``paper`` checks and records the answers typed from paper answer sheets (``--answers``).
"""
