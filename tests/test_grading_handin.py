"""A hand-in is read as data: ``ast`` on the answer cells, never an import or exec."""

from __future__ import annotations

import json
import random
import re

import pytest
from grading_helpers import small_key

from assessment.grading.handin import BadHandIn, load_notebook, parse_answer, read_notebook

Q2 = small_key().questions[1]  # cau_2, key AC


@pytest.mark.parametrize(("source", "answer", "odd"), [
    ('# Câu 2\ncau_2 = ""', "", False),
    ('cau_2 = ""\ncau_2 = "a, c"', "a, c", False),
    ("cau_2 = 'C' 'A'", "CA", False),
    ('cau_2 = ["A", "C"]', ["A", "C"], False),
    ('cau_2 = ("A",)', ["A"], False),
    ('cau_2 = f"{1}A"', None, True),
    ("cau_2 = dap_an", None, True),
    ('cau_2 = str("A")', None, True),
    ('cau_2 = b"A"', None, True),
    ('cau_2 = ["A", x]', None, True),
    ('cau_2 = "A"\ncau_2 = input()', None, True),
    ('import os\ncau_2 = "AC"', "AC", True),
    ('raise RuntimeError("x")\ncau_2 = "A"', "A", True),
    ('while True:\n    pass\ncau_2 = "C"', "C", True),
    ('cau_1 = "A"\ncau_2 = "C"', "C", True),
    ("if True:\n    cau_2 = 'AC'", None, True),
    ("cau_2, x = 'A', 'C'", None, True),
    ('cau_2 = "B', None, True),  # syntax error
])
def test_parse_answer(source, answer, odd):
    found, notes = parse_answer(source, Q2)
    assert found == answer
    assert bool(notes) == odd, notes
    if odd:
        assert "câu 2" in notes[0]


def cell(grade_id: str, source: str, **meta) -> dict:
    return {"cell_type": "code", "source": source, "outputs": [], "execution_count": None,
            "metadata": {"nbgrader": {"grade_id": grade_id, **meta}}}


def test_read_notebook_by_grade_id_whatever_the_order_and_metadata():
    notebook = {"metadata": {}, "cells": [
        cell("q3-tra-loi", 'cau_3 = "Sai"', solution=False, points=100),  # metadata edited
        cell("q1-tra-loi", ["cau_1", " = 'B'"], solution=True),
        cell("q1-tra-loi", 'cau_1 = "A"', solution=True),  # a duplicate: the first wins
        cell("q1", "1.0", grade=True, points=50),           # an edited test cell
    ]}
    read = read_notebook(notebook, small_key(), {"q1-tra-loi": 'cau_1 = ""'})
    assert read.answers == {"q1": "B", "q2": None, "q3": "Sai"}
    assert read.no_response == {"q2"}
    assert any("câu 2: không có ô trả lời" in w for w in read.warnings)
    assert any("thiếu ô chấm điểm của câu 2, 3" in w for w in read.warnings)


def test_untouched_cell_is_no_response():
    notebook = {"cells": [cell("q1-tra-loi", '# Câu 1\ncau_1 = ""\n')]}
    read = read_notebook(notebook, small_key(), {"q1-tra-loi": '# Câu 1\ncau_1 = ""'})
    assert "q1" in read.no_response


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "tệp rỗng (0 byte)"),
    (b"\xff\xfe\x00", "không phải văn bản UTF-8"),
    (b'{"cells": [', "không phải JSON hợp lệ (dòng 1, cột 12)"),
    (b"[1, 2]", "không phải sổ tay Jupyter"),
    (b'{"nbformat": 4}', "không phải sổ tay Jupyter"),
])
def test_bad_files_are_named_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bai.ipynb"
    path.write_bytes(content)
    with pytest.raises(BadHandIn, match=re.escape(reason)):
        load_notebook(path)


def test_another_quiz_is_reported():
    notebook = {"metadata": {"assessment": {"name": "phan-3"}},
                "cells": [cell("khac-tra-loi", 'cau_1 = "A"', solution=True)]}
    with pytest.raises(BadHandIn, match="đây là bài 'phan-3', không phải bài 'thu'"):
        read_notebook(notebook, small_key())
    with pytest.raises(BadHandIn, match="không có ô trả lời nào"):
        read_notebook(json.loads('{"cells": []}'), small_key())


def test_the_fast_path_agrees_with_ast():
    """Cells the fast path reads must give exactly what the syntax tree gives."""
    from assessment.grading.handin import _simple, parse_with_ast

    rng = random.Random(3)
    pieces = ["cau_2 = ", "cau_2=", "cau_1 = ", "  cau_2 = ", "# ghi chú", "", "\t", '"', "'",
              "A", "a, c", "Đúng", "\\", "\\n", "#", " ", "\r", "x", "(", '"""', "\x00", "\x0c"]
    sources = ['# Câu 2\ncau_2 = ""', "cau_2 = 'B'  # chọn B", 'cau_2 = "A"\n\n# hết\n']
    for _ in range(3000):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
                 for _ in range(rng.randint(1, 3))]
        sources.append("\n".join(lines))
    matched = 0
    for source in sources:
        simple, answer = _simple(source, Q2.variable)
        if simple:
            matched += 1
            assert (answer, []) == parse_with_ast(source, Q2), repr(source)
    assert matched > 100
