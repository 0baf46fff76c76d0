"""The ``assessment report`` command (the work is done in ``assessment.report.build``).

Example::

    assessment report --gradebook quizzes/gradebook.db --roster danh-sach.xlsx \\
        --targets quizzes/targets.yml --as-of 2026-11-30 --out reports/2026
"""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_TARGETS = "quizzes/targets.yml"
ENCODINGS = ["auto", "utf-8", "windows-1258", "cp1258", "tcvn3"]


class ReportFailed(click.ClickException):
    """A bad input: printed in Vietnamese, exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.message}", err=True)


@click.command("report")
@click.option("--gradebook", "gradebooks", multiple=True, metavar="TỆP_HOẶC_URL",
              help="Sổ điểm nbgrader: đường dẫn tệp gradebook.db hoặc URL SQLAlchemy. "
                   "Lặp lại tùy chọn này cho mỗi lớp/đơn vị có sổ điểm riêng.")
@click.option("--roster", metavar="TỆP", help="Danh sách cán bộ phải tập huấn (.xlsx hoặc .csv).")
@click.option("--targets", "targets_file", default=DEFAULT_TARGETS, show_default=True,
              metavar="TỆP", help="Tệp chỉ tiêu của kế hoạch (YAML).")
@click.option("--as-of", "as_of", metavar="NĂM-THÁNG-NGÀY",
              help="Ngày chốt số liệu, ví dụ 2026-11-30 (mặc định: hôm nay).")
@click.option("--out", metavar="THƯ_MỤC",
              help="Thư mục ghi báo cáo (tạo mới, hoặc thay báo cáo cũ).")
@click.option("--roster-encoding", type=click.Choice(sorted(ENCODINGS), case_sensitive=False),
              default="auto", show_default=True,
              help="Bảng mã của tệp CSV: auto (tự nhận UTF-8, hoặc Windows-1258/TCVN3 khi chắc "
                   "chắn), utf-8, windows-1258, tcvn3.")
@click.option("--quiet", "-q", is_flag=True, help="Không hiện thanh tiến trình.")
def report(gradebooks: tuple[str, ...], roster: str | None, targets_file: str,
           as_of: str | None, out: str | None, roster_encoding: str, quiet: bool) -> None:
    """Lập báo cáo tỷ lệ cán bộ đạt bài kiểm tra so với chỉ tiêu của kế hoạch.

    \b
    Ví dụ:
      assessment report --gradebook quizzes/gradebook.db --roster danh-sach.xlsx \\
          --targets quizzes/targets.yml --as-of 2026-11-30 --out reports/2026
    """
    missing = [name for name, value in (("--gradebook", gradebooks), ("--roster", roster),
                                        ("--out", out)) if not value]
    if missing:
        raise ReportFailed(
            f"thiếu tùy chọn {', '.join(missing)}. Xem ví dụ: assessment report --help")
    # Imported here: pandas, matplotlib and SQLAlchemy load only when a report is made.
    from assessment.report.build import build_report
    from assessment.report.errors import ReportInputError

    try:
        summary = build_report(list(gradebooks), roster, targets_file, as_of, Path(out),
                               roster_encoding.lower(), quiet=quiet)
    except ReportInputError as error:
        raise ReportFailed(str(error)) from None
    click.echo(summary)
