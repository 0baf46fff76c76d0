"""Commands of the online service: ``assessment serve``, ``accounts``, ``rounds``.

Light at import (click only): Flask, SQLAlchemy and gunicorn are imported inside commands.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click

DATA_HELP = "Thư mục dữ liệu của dịch vụ (cơ sở dữ liệu, sổ điểm gradebook.db)."
DB_HELP = ("Cơ sở dữ liệu của dịch vụ (URL SQLAlchemy), ví dụ "
           "postgresql+psycopg://assessment@localhost/assessment. Mặc định: DIR/service.db.")
GRADEBOOK_HELP = ("Sổ điểm nbgrader (URL SQLAlchemy). Mặc định: cùng cơ sở dữ liệu với --db nếu "
                  "có --db, nếu không thì DIR/gradebook.db.")


def data_option(function):
    """--data DIR, --db URL, --gradebook URL (the same three as ``assessment db``)."""
    function = click.option("--gradebook", "gradebook_url", metavar="URL", default=None,
                            help=GRADEBOOK_HELP)(function)
    function = click.option("--db", "db_url", metavar="URL", default=None,
                            help=DB_HELP)(function)
    return click.option("--data", "data_dir", type=click.Path(path_type=Path),
                        default=Path("du-lieu-hoc-vien"), show_default=True,
                        help=DATA_HELP)(function)


def urls(data_dir: Path, db_url: str | None, gradebook_url: str | None) -> tuple[str, str]:
    """(service database URL, gradebook URL) from the three options."""
    from assessment.service import db

    db.prepare_data_dir(data_dir)
    service = db_url or db.database_url(data_dir)
    return service, gradebook_url or db_url or db.gradebook_url(data_dir)


@contextmanager
def _service_db(data_dir: Path, db_url: str | None, errors: tuple[type, ...] = ()):
    """The service's database, migrated, for one command; ``errors`` (messages for the user)
    become click errors, and the engine is closed however the command ends."""
    from assessment.service import db

    url, _gradebook = urls(data_dir, db_url, None)
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        yield engine
    except errors as error:
        raise click.ClickException(str(error)) from error
    finally:
        engine.dispose()


# How long gunicorn keeps an idle connection (its default is 2 s). A client should give up on
# a connection before gunicorn closes it: after a busy spell gunicorn closes every expired one
# at once, and a request sent on one of them just then is lost (the bench saw hundreds of
# connection resets at 2 s, none at 5 s). nginx's upstream pool in deploy/ keeps them 4 s;
# the bench's cadres 1 s; browsers resend a request whose reused connection was closed.
KEEPALIVE_SECONDS = 5


def _writable(path: Path) -> bool:
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path.parent, os.W_OK) and not path.is_dir()


def _course(course_dir: Path, book_root: Path):
    from assessment.service.rounds import Course

    return Course.at(course_dir, book_root)


def _round_errors() -> tuple[type, ...]:
    """What a rounds command tells the user plainly: the round's own errors, and a bank or a
    table of contents that cannot be read (a wrong --course-dir or --book-root)."""
    from assessment.quiz.bank import BankError
    from assessment.service.rounds import RoundError
    from assessment.site.book_pages import BookError

    return RoundError, BankError, BookError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Địa chỉ lắng nghe (0.0.0.0 để máy khác trong mạng truy cập được).")
@click.option("--port", default=8000, show_default=True, type=int, help="Cổng.")
@data_option
@click.option("--book", type=click.Path(path_type=Path), default=Path("_build/html"),
              show_default=True, help="Trang web đã dựng của khóa học, phục vụ ở /.")
@click.option("--course-dir", type=click.Path(path_type=Path), default=Path("quizzes"),
              show_default=True, help="Thư mục bài kiểm tra (quizzes.yml, bank/).")
@click.option("--book-root", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="Thư mục gốc của sách (_toc.yml).")
@click.option("--workers", default=2, show_default=True, type=int,
              help="Số tiến trình gunicorn (thường bằng số lõi CPU).")
@click.option("--threads", default=8, show_default=True, type=int,
              help="Số luồng mỗi tiến trình (gthread).")
@click.option("--https", "behind_https", is_flag=True,
              help="Chạy sau máy chủ ngược có HTTPS (nginx): cookie chỉ gửi qua HTTPS.")
def serve(host: str, port: int, data_dir: Path, db_url: str | None,
          gradebook_url: str | None, book: Path,
          course_dir: Path, book_root: Path, workers: int, threads: int,
          behind_https: bool) -> None:
    """Chạy trang web của khóa học và bài kiểm tra trực tuyến (gunicorn).

    Trang sách ở /, bài kiểm tra ở /hoc-vien/. Ví dụ:

        assessment serve --data du-lieu-hoc-vien --port 8000
    """
    from gunicorn.app.base import BaseApplication

    from assessment.service import db

    if not (book / "index.html").is_file():
        raise click.ClickException(f"Chưa có trang web đã dựng ở {book}. Chạy `make book` trước.")
    service_url, grades_url = urls(data_dir, db_url, gradebook_url)
    config = {"DATA_DIR": str(data_dir), "BOOK_HTML": book, "COURSE_DIR": course_dir,
              "BOOK_ROOT": book_root, "MIGRATE": False, "DATABASE_URL": service_url,
              "GRADEBOOK_URL": grades_url, "BEHIND_HTTPS": behind_https}
    db.upgrade(service_url)
    from assessment.service.dbtools import upgrade_gradebook

    # the gradebook and our course's row, before the workers start (see upgrade_gradebook)
    upgrade_gradebook(grades_url)

    class Service(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", None)
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", "warning")
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("keepalive", KEEPALIVE_SECONDS)

        def load(self):
            from assessment.service.app import create_app, warm_up

            return warm_up(create_app(config))

    click.echo(f"Đang chạy ở http://{host}:{port}/ (bài kiểm tra: /hoc-vien/). Dừng: Ctrl+C.")
    Service().run()


@click.group()
def accounts() -> None:
    """Tài khoản của dịch vụ trực tuyến: cán bộ (từ danh sách) và giảng viên."""


@accounts.command("import")
@click.argument("roster", type=click.Path(path_type=Path))
@data_option
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="Tệp .xlsx ghi mã đăng nhập một lần của các tài khoản mới.")
@click.option("--targets", type=click.Path(path_type=Path),
              default=Path("quizzes/targets.yml"), show_default=True,
              help="Tệp chỉ tiêu (nhóm, cấp) để kiểm tra danh sách.")
@click.option("--reset-existing", is_flag=True,
              help="Cấp mã mới cả cho tài khoản đã có (mật khẩu cũ hết hiệu lực).")
@click.option("--slips", type=click.Path(path_type=Path), default=None,
              help="Cũng in phiếu đăng nhập (PDF, 8 phiếu một trang A4) vào tệp này.")
@click.option("--address", default="http://localhost:8000/hoc-vien/", show_default=True,
              help="Địa chỉ trang đăng nhập in trên phiếu.")
def import_accounts(roster: Path, data_dir: Path, db_url: str | None,
                    gradebook_url: str | None, out: Path, targets: Path, reset_existing: bool,
                    slips: Path | None, address: str) -> None:
    """Tạo tài khoản cho mỗi cán bộ trong danh sách và ghi mã đăng nhập ra tệp .xlsx.

    Nhập lại thì chỉ thêm cán bộ mới; tài khoản đã có giữ nguyên. Ví dụ:

        assessment accounts import danh-sach.xlsx --out ma-dang-nhap.xlsx --slips phieu.pdf
    """
    from assessment.report.errors import ReportInputError
    from assessment.service.accounts import AccountError, import_roster, write_codes

    for target in (out, slips):
        if target is not None and not _writable(target):
            raise click.ClickException(f"Không ghi được vào {target}: kiểm tra thư mục và quyền "
                                       "ghi (tài khoản chưa được tạo).")
    with _service_db(data_dir, db_url, (ReportInputError, AccountError)) as engine:
        result = import_roster(engine, roster, targets, reset_existing=reset_existing)
    for notice in result.notices:
        click.echo(notice)
    write_codes(result.codes, out)
    if slips is not None:
        from assessment.service.slips import write_slips

        write_slips(result.codes, slips, address)
        click.echo(f"Đã in {len(result.codes)} phiếu đăng nhập vào {slips}.")
    click.echo(f"Đã tạo {len(result.codes)} mã đăng nhập vào {out}; giữ nguyên {result.kept} "
               "tài khoản đã có.")


@accounts.command("add-trainer")
@click.argument("name")
@data_option
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ đầu vào chuẩn.")
def add_trainer_command(name: str, data_dir: Path, db_url: str | None, gradebook_url: str | None,
                        password_stdin: bool) -> None:
    """Tạo tài khoản giảng viên NAME (hoặc đổi mật khẩu của tài khoản đó). Ví dụ:

        echo 'mat-khau-dai' | assessment accounts add-trainer gv.lan --password-stdin
    """
    from assessment.service.accounts import AccountError, add_trainer

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    with _service_db(data_dir, db_url, (AccountError,)) as engine:
        add_trainer(engine, name, password)
    click.echo(f"Đã lưu tài khoản giảng viên {name}.")


@accounts.command("reset-code")
@click.argument("cadre_id")
@data_option
def reset_code_command(cadre_id: str, data_dir: Path, db_url: str | None,
                       gradebook_url: str | None) -> None:
    """Cấp mã đăng nhập mới cho một cán bộ quên mật khẩu (in mã ra màn hình). Ví dụ:

        assessment accounts reset-code CB0001 --data du-lieu-hoc-vien
    """
    from assessment.service.accounts import AccountError, reset_code

    with _service_db(data_dir, db_url, (AccountError,)) as engine:
        issued = reset_code(engine, cadre_id)
    click.echo(f"{issued.cadre_id}\t{issued.name}\t{issued.code}")


@click.group()
def rounds() -> None:
    """Đợt kiểm tra trực tuyến: mở, đóng, xem danh sách."""


def course_options(function):
    function = click.option("--book-root", type=click.Path(path_type=Path), default=Path("."),
                            show_default=True, help="Thư mục gốc của sách (_toc.yml).")(function)
    return click.option("--course-dir", type=click.Path(path_type=Path),
                        default=Path("quizzes"), show_default=True,
                        help="Thư mục bài kiểm tra (quizzes.yml, bank/).")(function)


@rounds.command("open")
@click.argument("quiz_id")
@data_option
@course_options
@click.option("--start", default=None, help="Bắt đầu, giờ Việt Nam, ví dụ 2026-12-07T08:00 "
              "(mặc định: ngay bây giờ).")
@click.option("--end", default=None, help="Kết thúc, giờ Việt Nam (mặc định: sau 7 ngày).")
@click.option("--attempts", default=1, show_default=True, type=int,
              help="Số lần mỗi cán bộ được làm.")
@click.option("--minutes", default=None, type=int,
              help="Thời gian mỗi lần làm, tính bằng phút (mặc định: đến hết đợt).")
@click.option("--groups", default="", help="Chỉ cho các nhóm (mã nhóm) hoặc đơn vị, "
              "cách nhau bằng dấu phẩy (mặc định: mọi cán bộ).")
def open_command(quiz_id: str, data_dir: Path, db_url: str | None,
                 gradebook_url: str | None, course_dir: Path,
                 book_root: Path, start: str | None, end: str | None, attempts: int,
                 minutes: int | None, groups: str) -> None:
    """Mở một đợt kiểm tra trực tuyến của bài QUIZ_ID và in tên đợt. Ví dụ:

        assessment rounds open kiem-tra-cuoi-khoa --data du-lieu-hoc-vien --minutes 45 --attempts 2
    """
    from assessment.service.rounds import open_round

    with _service_db(data_dir, db_url, _round_errors()) as engine:
        name = open_round(engine, _course(course_dir, book_root), quiz_id, start=start, end=end,
                          attempts=attempts, minutes=minutes, groups=groups)
    click.echo(name)


@rounds.command("close")
@click.argument("name")
@data_option
@course_options
def close_command(name: str, data_dir: Path, db_url: str | None,
                  gradebook_url: str | None, course_dir: Path,
                  book_root: Path) -> None:
    """Đóng đợt NAME ngay: bài đang làm được nộp với các câu đã lưu. Ví dụ:

        assessment rounds close kiem-tra-cuoi-khoa-truc-tuyen-1 --data du-lieu-hoc-vien
    """
    from assessment.service.rounds import close_round

    with _service_db(data_dir, db_url, _round_errors()) as engine:
        finished = close_round(engine, name, _course(course_dir, book_root),
                               urls(data_dir, db_url, gradebook_url)[1])
    click.echo(f"Đã đóng đợt {name}; {finished} bài đang làm được nộp tự động.")


@rounds.command("list")
@data_option
def list_command(data_dir: Path, db_url: str | None, gradebook_url: str | None) -> None:
    """Liệt kê các đợt: tên, bài, bắt đầu, kết thúc, trạng thái. Ví dụ:

        assessment rounds list --data du-lieu-hoc-vien
    """
    from sqlalchemy import select

    from assessment.service.models import rounds as rounds_table
    from assessment.service.rounds import is_closed, is_open, local_text

    with _service_db(data_dir, db_url) as engine, engine.connect() as conn:
        rows = conn.execute(select(rounds_table).order_by(rounds_table.c.created_at)).all()
    for row in rows:
        state = "đang mở" if is_open(row) else ("đã đóng" if is_closed(row) else "chưa mở")
        click.echo(f"{row.name}\t{row.quiz_id}\t{local_text(row.starts_at)}\t"
                   f"{local_text(row.ends_at)}\t{state}")
