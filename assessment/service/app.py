"""The Flask application: ``create_app(config)`` as Flask's tutorial lays it out.

The built book is served at ``/`` (its pages get a small "Đăng nhập / Bài kiểm tra của tôi"
link in the header) and the service under ``/hoc-vien/``: sign-in (``auth``), taking quizzes
(``attempts``), trainer pages (``trainer``). Config keys::

    DATA_DIR       folder of the SQLite database, the gradebook and the secret key
    DATABASE_URL   SQLAlchemy URL of the service's tables (default: DATA_DIR/service.db)
    GRADEBOOK_URL  nbgrader gradebook (default: sqlite:///DATA_DIR/gradebook.db)
    BOOK_HTML      the built book (default: _build/html)
    COURSE_DIR     quizzes/ (bank, quizzes.yml); BOOK_ROOT the book's sources (_toc.yml)
    MIGRATE        run the Alembic migrations at start (False when ``serve`` already did)

>>> app = create_app({"DATA_DIR": "du-lieu"})      # doctest: +SKIP
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, abort, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError, CSRFProtect

from assessment.service import db
from assessment.service.rounds import Course, local_text

PREFIX = "/hoc-vien"
HEADER_MARK = '<div class="bd-header-article d-print-none">'
HEADER_LINKS = (
    '<div class="hv-header d-print-none"><a class="hv-login" href="/hoc-vien/dang-nhap">'
    'Đăng nhập</a> <a class="hv-mine" href="/hoc-vien/">Bài kiểm tra của tôi</a></div>')
HEADER_HEAD = ('<link rel="stylesheet" href="/hoc-vien/static/header.css">'
               '<script src="/hoc-vien/static/header.js" defer></script></head>')


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    data_dir = Path(config.get("DATA_DIR", "du-lieu-hoc-vien")).resolve()
    db.prepare_data_dir(data_dir)
    app = Flask(__name__, static_url_path=f"{PREFIX}/static")
    app.config.update(
        SECRET_KEY=db.secret_key(data_dir),
        DATA_DIR=data_dir,
        DATABASE_URL=db.database_url(data_dir),
        GRADEBOOK_URL=db.gradebook_url(data_dir),
        BOOK_HTML=Path("_build/html"),
        COURSE_DIR=Path("quizzes"),
        BOOK_ROOT=Path("."),
        MIGRATE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind an HTTPS reverse proxy (`serve --https`): cookies only over HTTPS, and the
        # scheme and client address come from the proxy's X-Forwarded-* headers.
        BEHIND_HTTPS=False,
        SESSION_COOKIE_NAME="hoc_vien",
        PERMANENT_SESSION_LIFETIME=timedelta(days=7),
        # The cookie only carries the session's token, which expires in the database at
        # sign-in + 7 days; signing a new cookie on every request would gain nothing.
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,  # a quiz may take longer than the default hour
        MAX_FAILED_LOGINS=5,
        LOCK_SECONDS=300,
        MAX_CONTENT_LENGTH=1_000_000,
    )
    app.config.update(config)
    app.config["DATA_DIR"] = data_dir
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["BEHIND_HTTPS"])
    if app.config["BEHIND_HTTPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    if app.config["MIGRATE"]:
        db.upgrade(app.config["DATABASE_URL"])
    app.extensions["service_engine"] = db.make_engine(app.config["DATABASE_URL"])
    app.extensions["service_reader"] = db.reader(app.extensions["service_engine"])
    app.extensions["service_course"] = Course.at(app.config["COURSE_DIR"],
                                                 app.config["BOOK_ROOT"])
    CSRFProtect(app)
    app.jinja_env.filters["local_time"] = local_text

    from assessment.service.attempts import bp as attempts_bp
    from assessment.service.auth import bp as auth_bp
    from assessment.service.auth import load_account
    from assessment.service.trainer import bp as trainer_bp

    app.before_request(load_account)
    app.register_blueprint(auth_bp, url_prefix=PREFIX)
    app.register_blueprint(attempts_bp, url_prefix=PREFIX)
    app.register_blueprint(trainer_bp, url_prefix=f"{PREFIX}/giang-vien")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("error.html", title="Biểu mẫu không hợp lệ", message=(
            "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ. Hãy tải lại trang rồi thử lại.")), 400

    @app.errorhandler(404)
    def not_found(_error):
        if not request.path.startswith(PREFIX):
            return Response("Không tìm thấy trang này.", 404, mimetype="text/plain")
        return render_template("error.html", title="Không tìm thấy trang",
                               message="Không có trang này, hoặc bạn không được xem nó."), 404

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith(PREFIX) and not request.path.startswith(f"{PREFIX}/static"):
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    book = Path(app.config["BOOK_HTML"]).resolve()

    @app.get("/")
    @app.get("/<path:path>")
    def book_page(path: str = ""):
        """A page or file of the built book; HTML pages get the sign-in link in the header."""
        if path == "" or path.endswith("/"):
            path += "index.html"
        target = book / path
        if not path.endswith(".html") or not _inside(book, target):
            return send_from_directory(book, path, max_age=3600)
        if not target.is_file():
            abort(404)
        return Response(_with_header(target), mimetype="text/html")

    return app


def warm_up(app: Flask) -> Flask:
    """Load what the first requests would otherwise wait for: nbgrader (seconds to import),
    the grader, the bank and quizzes.yml, this worker's gradebook. Run in each worker before
    it takes requests."""
    import assessment.grading.record  # noqa: F401
    from assessment.service.current import gradebook
    from assessment.service.rounds import load_course

    load_course(app.extensions["service_course"])
    with app.app_context():
        gradebook()
    return app


def _inside(root: Path, target: Path) -> bool:
    try:
        target.resolve().relative_to(root)
    except ValueError:
        return False
    return True


_page_cache: dict[Path, tuple[float, str]] = {}


def _with_header(path: Path) -> str:
    """The page with the sign-in link and its script (cached until the file changes)."""
    mtime = path.stat().st_mtime
    cached = _page_cache.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    text = path.read_text(encoding="utf-8")
    if HEADER_MARK in text:
        text = text.replace(HEADER_MARK, HEADER_LINKS + HEADER_MARK, 1)
        text = re.sub(r"</head>", lambda _m: HEADER_HEAD, text, count=1)
    _page_cache[path] = (mtime, text)
    return text
