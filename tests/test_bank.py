"""The exam bank: validation of hand-made bad banks, the real bank, drafts merging, the CLI."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from assessment.cli import main
from assessment.quiz.bank import BankError, load_bank
from assessment.quiz.simulate import copy_course, synthetic_question
from assessment.site.book_pages import practice_questions, shared_text

from conftest import ROOT, content_pages

PAGE = "book/cong-uoc/quyen-tre-em"
MIN_PER_PAGE = 10


def good_question(**changes) -> dict:
    question = {
        "id": "quyen-tre-em-01", "page": PAGE, "tags": ["CRC", "CRC Điều 3"], "type": "single",
        "stem": "Câu mẫu của kiểm thử: theo CRC, lợi ích tốt nhất của trẻ em được coi trọng sao?",
        "options": {"A": "Duy nhất", "B": "Thứ yếu", "C": "Hàng đầu", "D": "Tùy địa phương"},
        "answer": "C", "explanation": "CRC yêu cầu lợi ích tốt nhất của trẻ em là hàng đầu.",
        "source": "CRC, Điều 3 khoản 1", "points": 1,
    }
    question.update(changes)
    return {k: v for k, v in question.items() if v is not None}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory) -> Path:
    """A copy of the course with an empty bank (book pages and _toc.yml are real)."""
    return copy_course(ROOT, tmp_path_factory.mktemp("bank"), with_bank=False)


def write_bank(course: Path, questions: list, part: str = "phan-2", **top) -> Path:
    for old in (course / "bank").glob("*.yml"):
        old.unlink()
    data = {"part": part, "title": "Phần 2. Bảy công ước", "questions": questions, **top}
    path = course / "bank" / f"{part}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems_of(course: Path, questions: list, **top) -> list[str]:
    write_bank(course, questions, **top)
    with pytest.raises(BankError) as caught:
        load_bank(course / "bank", course.parent)
    return caught.value.problems


def test_a_good_bank_loads(sandbox):
    write_bank(sandbox, [good_question(), good_question(
        id="quyen-tre-em-02", type="multiple", answer=["C", "A"],
        stem="Những nguyên tắc nào là nguyên tắc chung của CRC?")])
    bank = load_bank(sandbox / "bank", sandbox.parent)
    assert [q.id for q in bank.questions] == ["quyen-tre-em-01", "quyen-tre-em-02"]
    assert bank.questions[1].answer == ("A", "C") and bank.questions[1].key == "AC"
    assert bank.questions[0].part == "phan-2" and bank.questions[0].points == 1.0


BAD_QUESTIONS = [
    ({"answer": "E"}, "đáp án 'E' không có trong các phương án"),
    ({"explanation": None}, "thiếu trường 'explanation'"),
    ({"source": ""}, "thiếu trường 'source'"),
    ({"options": {"A": "Hàng đầu", "B": "hàng  đầu", "C": "Khác"}, "answer": "A"},
     "phương án bị trùng"),
    ({"page": "book/cong-uoc/khong-co-trang-nay"}, "không có trong _toc.yml"),
    ({"page": "book/luat-quoc-te/gioi-han-quyen"}, "không thuộc phan-2"),
    ({"type": "true_false", "options": {"A": "Có", "B": "Không"}, "answer": "A"},
     "câu đúng/sai phải có options"),
    ({"type": "multiple", "answer": "C"}, "ghi answer dạng danh sách"),
    ({"answer": ["A", "C"]}, "phải có đúng một đáp án"),
    ({"type": "essay"}, "loại câu 'essay' không hợp lệ"),
    ({"id": "Quyền-01"}, "chỉ được gồm chữ thường không dấu"),
    ({"points": 0}, "'points' phải là số dương"),
    ({"explaination": "gõ nhầm tên trường"}, "trường lạ 'explaination'"),
    ({"options": {"A": "Một", "C": "Ba"}, "answer": "A"}, "phải là A, B, C... theo thứ tự"),
    ({"explanation": "Phương án C đúng vì CRC nói vậy."}, "nhắc tới chữ cái của phương án"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_QUESTIONS)
def test_a_bad_question_is_refused_naming_file_and_id(sandbox, changes, message):
    question = good_question(**changes)
    problems = problems_of(sandbox, [question])
    where = f"{sandbox / 'bank' / 'phan-2.yml'}, câu {question['id']}"
    assert any(message in p and p.startswith(where) for p in problems), problems


def test_duplicate_ids_across_files_are_refused(sandbox):
    write_bank(sandbox, [good_question()])
    other = {"part": "phan-1", "title": "Phần 1", "questions": [good_question(
        page="book/luat-quoc-te/gioi-han-quyen", stem="Một đề bài khác hẳn?")]}
    (sandbox / "bank" / "phan-1.yml").write_text(yaml.safe_dump(other, allow_unicode=True))
    with pytest.raises(BankError) as caught:
        load_bank(sandbox / "bank", sandbox.parent)
    assert any("quyen-tre-em-01: mã câu bị trùng" in p for p in caught.value.problems)


def test_file_level_problems_are_reported(sandbox):
    path = write_bank(sandbox, [good_question()])
    path.write_text(path.read_text(encoding="utf-8").replace("part: phan-2", "part: phan-9"))
    with pytest.raises(BankError) as caught:
        load_bank(sandbox / "bank", sandbox.parent)
    assert any("'part' phải là 'phan-2'" in p for p in caught.value.problems)
    (sandbox / "bank" / "phan-2.yml").write_text("part: phan-2\nquestions: [\n", encoding="utf-8")
    with pytest.raises(BankError) as caught:
        load_bank(sandbox / "bank", sandbox.parent)
    assert "phan-2.yml (dòng" in caught.value.problems[0] and "YAML" in caught.value.problems[0]


def test_every_problem_is_listed_not_only_the_first(sandbox):
    problems = problems_of(sandbox, [good_question(answer="Z"), good_question(
        id="quyen-tre-em-02", stem="Đề khác?", source=None)])
    assert len(problems) == 2, problems


@pytest.fixture(scope="module")
def real_bank():
    return load_bank(ROOT / "quizzes" / "bank", ROOT)  # raises BankError listing problems


def test_the_real_bank_is_valid(real_bank):
    assert all(q.page in content_pages() for q in real_bank.questions)


@pytest.mark.parametrize("page", content_pages())
def test_every_content_page_has_enough_exam_questions(real_bank, page):
    count = sum(1 for q in real_bank.questions if q.page == page)
    assert count >= MIN_PER_PAGE, f"{page}: {count} exam questions in quizzes/bank/*.yml"


def test_no_exam_question_copies_a_practice_question(real_bank):
    practice = practice_questions(ROOT)
    assert practice, "no :::{selfcheck} question found in book/"
    assert shared_text(real_bank.questions, practice) == []


def test_copying_a_practice_question_is_detected(sandbox):
    practice = practice_questions(sandbox.parent)
    assert practice
    copied = practice[0].stem.replace("?", " ?").upper()  # same words, other case and spacing
    write_bank(sandbox, [good_question(stem=copied)])
    problems = shared_text(load_bank(sandbox / "bank", sandbox.parent).questions, practice)
    assert len(problems) == 1 and "quyen-tre-em-01" in problems[0]
    assert f"{practice[0].page}.md" in problems[0]


def write_draft(course: Path, name: str, questions: list) -> None:
    drafts = course / "bank" / "drafts"
    drafts.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({"questions": questions}, allow_unicode=True)
    (drafts / f"{name}.yml").write_text(text, encoding="utf-8")


def test_merge_drafts_writes_one_file_per_part(sandbox):
    write_bank(sandbox, [good_question(stem="Câu cũ sẽ được bản nháp thay?")])
    write_draft(sandbox, "quyen-tre-em", [good_question()])
    write_draft(sandbox, "gioi-han-quyen",
                [synthetic_question("book/luat-quoc-te/gioi-han-quyen", n) for n in (1, 2)])
    result = CliRunner().invoke(main, ["bank", "merge-drafts", "--course-dir", str(sandbox)])
    assert result.exit_code == 0, result.output
    assert "Đã gộp xong: 3 câu hỏi hợp lệ." in result.output
    part1 = yaml.safe_load((sandbox / "bank" / "phan-1.yml").read_text(encoding="utf-8"))
    assert part1["part"] == "phan-1" and part1["title"].startswith("Phần 1.")
    assert [q["id"] for q in part1["questions"]] == ["gioi-han-quyen-thu-01",
                                                      "gioi-han-quyen-thu-02"]
    bank = load_bank(sandbox / "bank", sandbox.parent)
    assert bank.by_id()["quyen-tre-em-01"].stem == good_question()["stem"]  # draft replaced it


def test_a_bad_draft_changes_nothing(sandbox):
    path = write_bank(sandbox, [good_question()])
    before = path.read_text(encoding="utf-8")
    for old in (sandbox / "bank" / "drafts").glob("*.yml"):
        old.unlink()
    write_draft(sandbox, "quyen-tre-em", [good_question(id="quyen-tre-em-02", answer="F",
                                                         stem="Một đề mới?")])
    result = CliRunner().invoke(main, ["bank", "merge-drafts", "--course-dir", str(sandbox)])
    assert result.exit_code == 1
    assert "quyen-tre-em-02: đáp án 'F'" in result.output
    assert "drafts/quyen-tre-em.yml" in result.output  # names the file the writer edits
    assert path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in (sandbox / "bank").glob("*.yml")) == ["phan-2.yml"]


def test_bank_check_command(sandbox):
    write_bank(sandbox, [good_question()])
    result = CliRunner().invoke(main, ["bank", "check", "--course-dir", str(sandbox)])
    assert result.exit_code == 0, result.output
    assert "Ngân hàng hợp lệ: 1 câu hỏi." in result.output
    assert f"1  {PAGE}  (cần ít nhất 10)" in result.output

    bad = copy.deepcopy(good_question(answer="Q"))
    write_bank(sandbox, [bad])
    result = CliRunner().invoke(main, ["bank", "check", "--course-dir", str(sandbox)])
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: Ngân hàng câu hỏi có lỗi")
    assert "phan-2.yml, câu quyen-tre-em-01: đáp án 'Q'" in result.output


def test_bank_check_without_a_bank_folder_says_where_to_run(tmp_path):
    result = CliRunner().invoke(main, ["bank", "check", "--course-dir", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "Không thấy thư mục ngân hàng câu hỏi" in result.output
