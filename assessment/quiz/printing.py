"""``assessment quiz print``: the paper copy of a quiz, its answer sheet and the typing template.

Writes into ``--out`` (default ``<course-dir>/print/<name>/``, kept out of git):

- ``<name>-de-bai.pdf``: the questions and their options (no key, no explanation), A4;
- ``<name>-phieu-tra-loi.pdf``: the answer sheet: name, "Mã cán bộ", one row of letter boxes
  per question;
- ``<name>-phieu-tra-loi.xlsx``: the template the trainer types the marked letters into
  (answer_template.py); a template that already holds typed answers is never replaced.

The PDFs are printed by headless Chromium (assessment/site/browser.py) from HTML written here,
with the DejaVu fonts (Vietnamese glyphs), and every outside request blocked.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
from pathlib import Path

import click

from assessment.quiz.answer_template import has_typed_rows, template_path, write_template
from assessment.quiz.paper import PaperError, PaperQuestion, PaperQuiz, read_paper_quiz

CSS = """
@page { size: A4; margin: 16mm 16mm 18mm 16mm; }
body { font-family: "DejaVu Serif", serif; font-size: 10.5pt; line-height: 1.4; color: #000; }
h1, h2, .meta, .sheet, .fields { font-family: "DejaVu Sans", sans-serif; }
h1 { font-size: 15pt; margin: 0 0 0.3em; } h2 { font-size: 11pt; margin: 0 0 0.2em; }
.meta { font-size: 9.5pt; margin-bottom: 0.8em; }
.guide { border: 1px solid #000; padding: 0.4em 0.8em; margin-bottom: 1em; font-size: 9.5pt; }
.guide ol { margin: 0.2em 0; padding-left: 1.4em; }
.question { break-inside: avoid; margin-bottom: 0.9em; }
.hint { font-style: italic; margin: 0.1em 0; }
.stem p { margin: 0.2em 0; }
ol.options { list-style: none; margin: 0.2em 0 0; padding-left: 1em; }
ol.options li { margin: 0.1em 0; }
.fields { font-size: 10.5pt; margin: 0.8em 0; }
.fields p { margin: 0.7em 0; }
.line { display: inline-block; border-bottom: 1px dotted #000; width: 11cm; }
.short { width: 4.5cm; }
.columns { display: flex; gap: 10mm; align-items: flex-start; }
table.sheet { border-collapse: collapse; flex: 1; }
table.sheet td { padding: 1.2mm 1mm; font-size: 10pt; }
table.sheet td.number { width: 17mm; font-weight: bold; white-space: nowrap; }
table.sheet tr { break-inside: avoid; border-bottom: 0.3pt solid #bbb; }
.box { display: inline-block; width: 6.5mm; height: 6.5mm; line-height: 6.5mm;
       border: 1.2pt solid #000; margin-right: 2.5mm; text-align: center; color: #777;
       font-size: 8.5pt; }
.tag { font-size: 7.5pt; color: #333; }
"""
FOOTER = ('<div style="font: 8pt \'DejaVu Sans\', sans-serif; width: 100%; text-align: center; '
          'color: #444;">{label} · Trang <span class="pageNumber"></span> / '
          '<span class="totalPages"></span></div>')


def quiz_pdf_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}-de-bai.pdf"


def sheet_pdf_path(out_dir: Path, name: str) -> Path:
    return out_dir / f"{name}-phieu-tra-loi.pdf"


def markdown(text: str, inline: bool = False) -> str:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False})
    return parser.renderInline(text) if inline else parser.render(text)


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body>{body}</body></html>")


def meta_line(quiz: PaperQuiz) -> str:
    total = quiz.max_score
    return (f'<p class="meta">Mã bài: {html.escape(quiz.name)} · Số câu: {len(quiz.questions)}'
            f" · Tổng điểm: {total:g} · Điểm đạt: từ {quiz.pass_mark:.0%} số điểm "
            f"({quiz.pass_mark * total:g}/{total:g} điểm)</p>")


def question_html(question: PaperQuestion) -> str:
    options = "".join(f"<li><strong>{letter}.</strong> {markdown(text, inline=True)}</li>"
                      for letter, text in question.options.items())
    return (f'<section class="question"><h2>Câu {question.number} '
            f'<span class="tag">({question.points:g} điểm)</span></h2>'
            f'<p class="hint">{html.escape(question.hint)}</p>'
            f'<div class="stem">{markdown(question.stem)}</div>'
            f'<ol class="options">{options}</ol></section>')


def quiz_document(quiz: PaperQuiz) -> str:
    """The questions, as HTML ready for print."""
    guide = (
        '<div class="guide"><strong>Cách làm bài</strong><ol>'
        "<li>Ghi họ và tên, mã cán bộ vào <strong>phiếu trả lời</strong>. Không viết lên đề.</li>"
        "<li>Với mỗi câu, đánh dấu X vào ô chữ cái của phương án bạn chọn trên phiếu trả lời."
        "</li><li>Câu «Chọn tất cả phương án đúng»: đánh dấu mọi ô bạn chọn.</li>"
        "<li>Câu đúng/sai: ô A là Đúng, ô B là Sai.</li>"
        "<li>Muốn sửa: tô kín ô đã đánh dấu và ghi chữ cái mới bên cạnh.</li></ol></div>")
    body = "".join(question_html(q) for q in quiz.questions)
    return page(quiz.title, f"<h1>{html.escape(quiz.title)}</h1>{meta_line(quiz)}{guide}{body}")


def sheet_row(question: PaperQuestion) -> str:
    boxes = "".join(f'<span class="box">{letter}</span>' for letter in question.letters)
    tag = {"multiple": "chọn nhiều", "true_false": "A Đúng · B Sai"}.get(question.kind, "")
    tag = f' <span class="tag">({tag})</span>' if tag else ""
    return f'<tr><td class="number">Câu {question.number}</td><td>{boxes}{tag}</td></tr>'


def sheet_document(quiz: PaperQuiz) -> str:
    """The answer sheet, as HTML ready for print."""
    fields = (
        '<div class="fields">'
        '<p>Họ và tên: <span class="line"></span></p>'
        '<p>Mã cán bộ: <span class="line short"></span> &nbsp; Ngày làm bài: '
        '<span class="line short"></span></p>'
        '<p>Đơn vị: <span class="line"></span></p></div>'
        '<div class="guide">Đánh dấu X vào ô chữ cái bạn chọn. Câu «chọn nhiều»: đánh dấu mọi '
        "ô bạn chọn. Muốn sửa: tô kín ô đã đánh dấu và ghi chữ cái mới bên cạnh.</div>")
    half = (len(quiz.questions) + 1) // 2
    tables = "".join(
        f'<table class="sheet">{"".join(sheet_row(q) for q in part)}</table>'
        for part in (quiz.questions[:half], quiz.questions[half:]) if part)
    return page(f"Phiếu trả lời: {quiz.title}",
                f"<h1>Phiếu trả lời</h1><p class=\"meta\">{html.escape(quiz.title)} · Mã bài: "
                f"{html.escape(quiz.name)} · {len(quiz.questions)} câu</p>{fields}"
                f'<div class="columns">{tables}</div>')


def print_documents(documents: list[tuple[str, str, Path]]) -> None:
    """Print each (HTML, footer label, PDF path) with headless Chromium, nothing from outside."""
    from playwright.sync_api import sync_playwright

    from assessment.site.browser import block_outside, launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context()
            blocked = block_outside(context, "data:")
            tab = context.new_page()
            for document, label, path in documents:
                tab.set_content(document, wait_until="load")
                tab.evaluate("document.fonts.ready")
                pdf = tab.pdf(format="A4", print_background=True, display_header_footer=True,
                              header_template="<span></span>",
                              footer_template=FOOTER.format(label=html.escape(label)),
                              margin={"top": "14mm", "bottom": "18mm", "left": "16mm",
                                      "right": "16mm"}, tagged=True)
                path.write_bytes(pdf)
            if blocked:
                raise PaperError(f"Bản in định tải tài nguyên bên ngoài: {blocked[:3]}.")
        finally:
            browser.close()


def print_quiz(course_dir: Path, name: str, out_dir: Path | None = None) -> list[Path]:
    """Write the quiz PDF, the answer-sheet PDF and (unless already typed in) the template.

    Files appear only once all of them are made. Returns the paths written.
    """
    quiz = read_paper_quiz(course_dir, name)
    out_dir = out_dir or course_dir / "print" / name
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dang-in-", dir=out_dir))
    template = template_path(out_dir, name)
    keep_template = template.exists() and has_typed_rows(template)
    try:
        targets = [quiz_pdf_path(out_dir, name), sheet_pdf_path(out_dir, name)]
        print_documents([
            (quiz_document(quiz), f"{quiz.name} · Đề bài", staging / targets[0].name),
            (sheet_document(quiz), f"{quiz.name} · Phiếu trả lời", staging / targets[1].name),
        ])
        if not keep_template:
            write_template(quiz, staging / template.name)
            targets.append(template)
        for target in targets:
            os.replace(staging / target.name, target)
        return targets
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@click.command("print")
@click.argument("quiz_name")
@click.option("--course-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("quizzes"), show_default=True,
              help="Thư mục khóa học nbgrader (có source/<tên bài>/ do `assessment quiz "
                   "generate` sinh).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục ghi các tệp (mặc định: <course-dir>/print/<tên bài>/).")
def quiz_print(quiz_name: str, course_dir: Path, out_dir: Path | None) -> None:
    """In đề trên giấy cho lớp không có máy tính: đề (PDF), phiếu trả lời (PDF) và mẫu Excel
    để gõ câu trả lời (<tên bài>-phieu-tra-loi.xlsx).

    Đề in không có đáp án và lời giải thích. Mẫu Excel đã có câu trả lời thì được giữ nguyên.

    Ví dụ: assessment quiz print kiem-tra-cuoi-khoa-dot-2
    """
    from assessment.quiz.cli import UserError
    from assessment.site.browser import BrowserMissingError

    try:
        written = print_quiz(course_dir, quiz_name, out_dir)
    except (PaperError, BrowserMissingError) as error:
        raise UserError(str(error)) from None
    for path in written:
        click.echo(f"Đã ghi {path}")
    template = template_path(out_dir or course_dir / "print" / quiz_name, quiz_name)
    if template not in written:
        click.echo(f"Giữ nguyên {template}: tệp đã có câu trả lời được gõ vào.")
