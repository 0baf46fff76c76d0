"""Dòng lệnh ``assessment``: mỗi nhóm lệnh nằm trong mô-đun riêng của nó."""

from __future__ import annotations

import click

from assessment import __version__
from assessment.quiz.cli import bank, quiz
from assessment.report.cli import report
from assessment.site.handouts import handouts


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="assessment")
def main() -> None:
    """Công cụ của khóa học: bài kiểm tra (quiz) và báo cáo thống kê (report)."""


main.add_command(bank)
main.add_command(quiz)
main.add_command(report)
main.add_command(handouts)


if __name__ == "__main__":
    main()
