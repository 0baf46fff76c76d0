"""``assessment db``: upgrade, back up, restore and move the service's databases.

Light at import (click only): the work is in ``assessment.service.dbtools``.

Example::

    assessment db backup sao-luu/2026-11-30.zip --data du-lieu-hoc-vien
    assessment db move --from du-lieu-hoc-vien --to postgresql+psycopg://assessment@localhost/assessment
"""

from __future__ import annotations

from pathlib import Path

import click

DEFAULT_DATA = "du-lieu-hoc-vien"


class DbFailed(click.ClickException):
    """A problem the user can fix: printed in Vietnamese, exit code 1."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.message}", err=True)


def _where(function):
    """The three options that say where the databases are (as ``assessment serve`` has them)."""
    function = click.option(
        "--gradebook", "gradebook_url", metavar="URL",
        help="Sổ điểm nbgrader (URL SQLAlchemy). Mặc định: cùng cơ sở dữ liệu với --db nếu có "
             "--db, nếu không thì DIR/gradebook.db.")(function)
    function = click.option(
        "--db", "db_url", metavar="URL",
        help="Cơ sở dữ liệu của dịch vụ, ví dụ postgresql+psycopg://assessment@localhost/"
             "assessment. Mặc định: DIR/service.db (SQLite).")(function)
    return click.option("--data", "data_dir", default=DEFAULT_DATA, show_default=True,
                        metavar="DIR", help="Thư mục dữ liệu của dịch vụ (như assessment "
                                            "serve --data).")(function)


def _databases(data_dir: str, db_url: str | None, gradebook_url: str | None):
    from assessment.service.dbtools import Database, data_databases

    service, gradebook = data_databases(Path(data_dir))
    if db_url:
        service = Database("service", db_url)
        gradebook = Database("gradebook", db_url)
    if gradebook_url:
        gradebook = Database("gradebook", gradebook_url)
    return [service, gradebook]


def _run(action, *args):
    from assessment.service.dbtools import DbToolError

    try:
        return action(*args)
    except DbToolError as error:
        raise DbFailed(str(error)) from None


def _show(counts: dict[str, dict[str, int]]) -> None:
    names = {"service": "Dịch vụ", "gradebook": "Sổ điểm"}
    for name, tables in counts.items():
        rows = ", ".join(f"{table} {count}" for table, count in tables.items() if count)
        click.echo(f"  {names.get(name, name)}: {sum(tables.values())} dòng"
                   + (f" ({rows})" if rows else ""))


@click.group("db")
def db() -> None:
    """Cơ sở dữ liệu của dịch vụ học trực tuyến: nâng cấp, sao lưu, khôi phục, chuyển sang
    PostgreSQL.

    \b
    Ví dụ:
      assessment db backup sao-luu.zip --data du-lieu-hoc-vien
    """


@db.command("upgrade")
@_where
def upgrade_command(data_dir: str, db_url: str | None, gradebook_url: str | None) -> None:
    """Tạo hoặc nâng cấp lược đồ của cơ sở dữ liệu dịch vụ và sổ điểm (Alembic).

    \b
    Ví dụ:
      assessment db upgrade --db postgresql+psycopg://assessment@localhost/assessment
    """
    from assessment.service.dbtools import upgrade

    databases = _databases(data_dir, db_url, gradebook_url)
    _run(upgrade, databases)
    for database in databases:
        click.echo(f"Đã nâng cấp «{database.label}».")


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_where
def backup_command(file: Path, data_dir: str, db_url: str | None,
                   gradebook_url: str | None) -> None:
    """Sao lưu cơ sở dữ liệu dịch vụ và sổ điểm vào một tệp .zip (đọc được bằng SQLite).

    Chạy được khi dịch vụ đang chạy. Tệp chứa dữ liệu cá nhân: cất ở nơi an toàn.

    \b
    Ví dụ:
      assessment db backup sao-luu/2026-11-30.zip --data du-lieu-hoc-vien
    """
    from assessment.service.dbtools import backup

    counts = _run(backup, _databases(data_dir, db_url, gradebook_url), file)
    click.echo(f"Đã sao lưu vào «{file}»:")
    _show(counts)


@db.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_where
def restore_command(file: Path, data_dir: str, db_url: str | None,
                    gradebook_url: str | None) -> None:
    """Khôi phục từ một tệp sao lưu: THAY toàn bộ dữ liệu hiện có bằng dữ liệu trong tệp.

    Dừng dịch vụ trước khi khôi phục. Cơ sở dữ liệu đích có thể là SQLite hoặc PostgreSQL.

    \b
    Ví dụ:
      assessment db restore sao-luu/2026-11-30.zip --data du-lieu-hoc-vien
    """
    from assessment.service.dbtools import restore

    counts = _run(restore, _databases(data_dir, db_url, gradebook_url), file)
    click.echo(f"Đã khôi phục từ «{file}»:")
    _show(counts)


@db.command("move")
@click.option("--from", "source", required=True, metavar="DIR_HOẶC_URL",
              help="Thư mục dữ liệu SQLite đang dùng (--data của assessment serve), hoặc URL "
                   "cơ sở dữ liệu dịch vụ.")
@click.option("--from-gradebook", metavar="URL",
              help="Sổ điểm nguồn, khi --from là URL mà sổ điểm nằm ở chỗ khác.")
@click.option("--to", "target", required=True, metavar="URL",
              help="Cơ sở dữ liệu PostgreSQL mới, trống, ví dụ "
                   "postgresql+psycopg://assessment@localhost/assessment.")
@click.option("--to-gradebook", metavar="URL",
              help="Đặt sổ điểm vào một cơ sở dữ liệu riêng (mặc định: cùng --to).")
def move_command(source: str, from_gradebook: str | None, target: str,
                 to_gradebook: str | None) -> None:
    """Chuyển toàn bộ dữ liệu (tài khoản, lượt làm bài, điểm) sang một cơ sở dữ liệu mới.

    Mọi dòng được chép; nơi nhận phải trống. Dừng dịch vụ trước khi chuyển, rồi chạy lại
    với --db URL.

    \b
    Ví dụ:
      assessment db move --from du-lieu-hoc-vien \\
          --to postgresql+psycopg://assessment@localhost/assessment
    """
    from assessment.service.dbtools import Database, data_databases, move

    if "://" in source:
        sources = [Database("service", source),
                   Database("gradebook", from_gradebook or source)]
    else:
        if not Path(source).is_dir():
            raise DbFailed(f"không thấy thư mục dữ liệu «{source}» (--from).")
        sources = data_databases(Path(source))
    targets = [Database("service", target), Database("gradebook", to_gradebook or target)]
    counts = _run(move, sources, targets)
    click.echo(f"Đã chuyển sang «{targets[0].label}»:")
    _show(counts)
