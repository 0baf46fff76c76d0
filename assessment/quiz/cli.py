"""Commands ``assessment bank ...`` and ``assessment quiz ...``.

Examples (from the repository root)::

    assessment bank check
    assessment bank merge-drafts
    assessment quiz list
    assessment quiz generate                       # every quiz of quizzes/quizzes.yml
    assessment quiz generate kiem-tra-cuoi-khoa --seed 2 --name kiem-tra-cuoi-khoa-dot-2
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assessment.quiz.bank import Bank, BankError, load_bank
from assessment.quiz.drafts import merge_drafts
from assessment.quiz.printing import quiz_print
from assessment.quiz.seeds import reused_seed_warning
from assessment.quiz.spec import NAME_PATTERN, Quiz, QuizError, QuizFile, draw, load_quizzes
from assessment.site.book_pages import BookError, BookPages, practice_questions, shared_text

if TYPE_CHECKING:
    from assessment.register.documents import Register

MIN_PER_PAGE = 10

course_option = click.option(
    "--course-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("quizzes"),
    show_default=True,
    help="Thư mục khóa học nbgrader (chứa bank/, quizzes.yml, nbgrader_config.py); "
    "thư mục cha của nó là gốc của sách (_toc.yml).",
)


class UserError(click.ClickException):
    """An error shown to the user in Vietnamese, exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.format_message()}", err=True, file=file)


def open_bank(course_dir: Path) -> tuple[Bank, BookPages]:
    root = course_dir.resolve().parent
    if not (course_dir / "bank").is_dir():
        raise UserError(f"Không thấy thư mục ngân hàng câu hỏi {course_dir / 'bank'}; hãy chạy "
                        "lệnh từ thư mục gốc của dự án hoặc chỉ đường dẫn bằng --course-dir.")
    try:
        return load_bank(course_dir / "bank", root), BookPages.load(root)
    except (BankError, BookError) as error:
        raise UserError(str(error)) from None


def open_quizzes(course_dir: Path) -> QuizFile:
    try:
        return load_quizzes(course_dir / "quizzes.yml")
    except QuizError as error:
        raise UserError(str(error)) from None


class HandedInError(QuizError):
    """The new draw differs from an assignment that trainees have already handed in."""


def has_submissions(course_dir: Path, name: str) -> bool:
    return any(course_dir.glob(f"submitted/*/{name}")) or any(
        course_dir.glob(f"autograded/*/{name}"))


def drawn_before(path: Path) -> list[str] | None:
    """The question ids of an existing source notebook, or None if there is none."""
    if not path.is_file():
        return None
    import nbformat  # heavy (jsonschema): only when a quiz is generated

    return nbformat.read(path, as_version=4).metadata.get("assessment", {}).get("questions")


def generate_quiz(course_dir: Path, quiz: Quiz, bank: Bank, book: BookPages, site_url: str,
                  seed: int | None = None, name: str | None = None) -> tuple[Path, int]:
    """Write the source notebook of one quiz; return its path and question count.

    Once trainees have handed in an assignment its questions never change (nbgrader would
    refuse and delete the release): a different draw raises HandedInError. Corrections to the
    questions themselves (same ids) are written, so a wrong key can be fixed and regraded.
    """
    seed = quiz.seed if seed is None else seed
    name = name or quiz.id
    questions = draw(quiz, bank, book, seed)
    path = course_dir / "source" / name / f"{name}.ipynb"
    before = drawn_before(path)
    if before is not None and before != [q.id for q in questions] and has_submissions(
            course_dir, name):
        raise HandedInError(
            f"Bài '{name}' đã có bài nộp nên giữ nguyên bộ câu hỏi đã phát (ngân hàng hoặc "
            f"seed đã đổi làm bộ câu rút ra khác đi). Muốn dùng bộ câu mới, hãy rút đề với tên "
            f"bài mới: assessment quiz generate {quiz.id} --seed {seed} --name {name}-dot-2"
        )
    from assessment.quiz.notebook import build_notebook, write_notebook  # imports nbformat

    notebook = build_notebook(quiz, name, seed, questions, book, site_url)
    write_notebook(notebook, path)
    return path, len(questions)


@click.group()
def bank() -> None:
    """Ngân hàng câu hỏi kiểm tra (quizzes/bank/*.yml).

    Ví dụ: assessment bank check
    """


@bank.command("check")
@course_option
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Ngày dùng để tính nguồn đã quá một năm chưa kiểm tra lại "
              "(NNNN-TT-NN; mặc định: hôm nay).")
def bank_check(course_dir: Path, today: datetime | None = None) -> None:
    """Kiểm tra ngân hàng câu hỏi và đếm số câu của mỗi trang.

    Báo lỗi nếu một câu sai quy cách, chép đề của câu tự kiểm tra trong sách, hoặc nhắc một
    văn bản đã bị thay thế mà không nhắc văn bản thay thế (theo danh mục văn bản trong
    book/references.bib). Liệt kê các câu có nguồn đã quá một năm chưa kiểm tra lại.

    Ví dụ: assessment bank check
    """
    questions, book = open_bank(course_dir)
    copies = shared_text(questions.questions, practice_questions(book.root))
    if copies:
        raise UserError(str(BankError(copies)))
    register = check_sources(questions, book.root, course_dir)
    counts = Counter(q.page for q in questions.questions)
    click.echo(f"Ngân hàng hợp lệ: {len(questions.questions)} câu hỏi.")
    for page in book.pages:
        if page in book.part_of:
            mark = "" if counts[page] >= MIN_PER_PAGE else f"  (cần ít nhất {MIN_PER_PAGE})"
            click.echo(f"  {counts[page]:3d}  {page}{mark}")
    list_old_sources(questions, register, today.date() if today else None, course_dir)


def check_sources(questions: Bank, root: Path, course_dir: Path) -> Register:
    """Refuse questions naming a replaced document without its successor; return the register."""
    from assessment.register.documents import BIB, RegisterError, load_register
    from assessment.register.questions import stale_questions

    try:
        register = load_register(root / BIB)
    except RegisterError as error:
        raise UserError(str(error)) from None
    stale = stale_questions(questions.questions, register, str(course_dir / "bank"))
    if stale:
        raise UserError(str(BankError(stale)))
    return register


def list_old_sources(questions: Bank, register: Register, today: date | None,
                     course_dir: Path) -> None:
    """List the questions whose source documents were last checked more than a year ago."""
    from assessment.register.documents import BIB, display_date
    from assessment.register.questions import MAX_AGE, old_sources

    old = old_sources(questions.questions, register, today)
    if old:
        limit = (today or date.today()) - MAX_AGE
        click.echo(f"Có {len(old)} nguồn của câu hỏi kiểm tra lần cuối trước ngày "
                   f"{display_date(limit)}: hãy đối chiếu lại văn bản rồi sửa trường checked "
                   f"của văn bản trong {BIB}.")
        for item in old:
            click.echo(f"  - {item.message(str(course_dir / 'bank'))}")
    else:
        click.echo(f"Mọi văn bản mà câu hỏi ghi làm nguồn đều được kiểm tra trong vòng một năm "
                   f"(danh mục {BIB}).")


@bank.command("merge-drafts")
@course_option
@click.option("--drafts", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục bản nháp (mặc định: <course-dir>/bank/drafts).")
def bank_merge_drafts(course_dir: Path, drafts: Path | None) -> None:
    """Gộp các bản nháp bank/drafts/*.yml vào tệp của từng phần (bank/phan-N.yml).

    Câu trong bản nháp thay câu cùng mã trong tệp phần. Nếu có lỗi, không tệp nào bị sửa.

    Ví dụ: assessment bank merge-drafts
    """
    drafts = drafts or course_dir / "bank" / "drafts"
    try:
        merged, counts = merge_drafts(drafts, course_dir / "bank", course_dir.resolve().parent)
    except (BankError, BookError) as error:
        raise UserError(str(error)) from None
    for part, count in counts.items():
        click.echo(f"{course_dir / 'bank' / part}.yml: {count} câu.")
    click.echo(f"Đã gộp xong: {len(merged.questions)} câu hỏi hợp lệ.")


@click.group()
def quiz() -> None:
    """Bài kiểm tra nbgrader sinh từ ngân hàng câu hỏi (quizzes/quizzes.yml).

    Ví dụ: assessment quiz generate kiem-tra-cuoi-khoa
    """


@quiz.command("list")
@course_option
@click.option("--ids", is_flag=True, help="Chỉ in mã các bài, mỗi dòng một mã (dùng trong script).")
def quiz_list(course_dir: Path, ids: bool) -> None:
    """Liệt kê các bài kiểm tra khai báo trong quizzes.yml.

    Ví dụ: assessment quiz list
    """
    for item in open_quizzes(course_dir).quizzes:
        if ids:
            click.echo(item.id)
        else:
            count = sum(rule.count for rule in item.draw)
            click.echo(f"{item.id}: {item.title} — {count} câu, đạt từ {item.pass_mark:.0%}, "
                       f"seed {item.seed}")


@quiz.command("generate")
@click.argument("quiz_id", required=False)
@course_option
@click.option("--seed", type=int, default=None,
              help="Số để rút bộ câu hỏi khác cho một đợt mới (mặc định: seed trong quizzes.yml).")
@click.option("--name", default=None,
              help="Tên bài cho đợt mới, bắt đầu bằng mã bài, ví dụ kiem-tra-cuoi-khoa-dot-2.")
def quiz_generate(quiz_id: str | None, course_dir: Path, seed: int | None,
                  name: str | None) -> None:
    """Sinh notebook nguồn nbgrader: <course-dir>/source/<tên bài>/<tên bài>.ipynb.

    Không ghi QUIZ_ID: sinh mọi bài trong quizzes.yml. Đợt mới (lớp khác, thi lại) là một bài
    mới: dùng --seed để rút bộ câu khác và --name để đặt tên riêng.

    Ví dụ: assessment quiz generate kiem-tra-cuoi-khoa --seed 2 --name kiem-tra-cuoi-khoa-dot-2
    """
    spec = open_quizzes(course_dir)
    if quiz_id is None and (seed is not None or name):
        raise UserError("--seed và --name chỉ dùng khi sinh một bài; hãy ghi mã bài, "
                        "ví dụ: assessment quiz generate kiem-tra-cuoi-khoa --seed 2 --name ...")
    try:
        chosen = [spec.quiz(quiz_id)] if quiz_id else spec.quizzes
    except QuizError as error:
        raise UserError(str(error)) from None
    if name is not None and not (NAME_PATTERN.match(name) and name.startswith(chosen[0].id)):
        raise UserError(f"Tên bài '{name}' phải bắt đầu bằng '{chosen[0].id}' và chỉ gồm chữ "
                        f"thường không dấu, số và '-', ví dụ {chosen[0].id}-dot-2.")
    if seed is not None and seed != chosen[0].seed and name in (None, chosen[0].id):
        raise UserError(
            f"Bộ câu hỏi mới (--seed {seed}) cần một tên bài mới để không lẫn với bài "
            f"'{chosen[0].id}' đã phát: thêm --name {chosen[0].id}-dot-2 (hoặc số đợt khác)."
        )
    questions, book = open_bank(course_dir)
    for item in chosen:
        warning = reused_seed_warning(course_dir, item.id, item.seed if seed is None else seed,
                                      name or item.id)
        if warning:
            click.echo(warning, err=True)
        try:
            path, count = generate_quiz(course_dir, item, questions, book, spec.site_url,
                                        seed, name)
        except HandedInError as error:
            if quiz_id:
                raise UserError(str(error)) from None
            click.echo(f"Giữ nguyên: {error}")  # `make` keeps going with the other quizzes
            continue
        except QuizError as error:
            raise UserError(str(error)) from None
        click.echo(f"Đã tạo {path}: {count} câu, seed {item.seed if seed is None else seed}.")


quiz.add_command(quiz_print)  # `assessment quiz print`: paper copies (assessment/quiz/printing.py)
