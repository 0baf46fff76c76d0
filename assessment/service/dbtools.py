"""Back up, restore and move the service's two databases: its own and the nbgrader gradebook.

Both are reached through SQLAlchemy URLs, so the same code serves the embedded SQLite default
(``--data DIR``) and a PostgreSQL server. Schemas are only ever made by their owners'
migrations (nbgrader's Gradebook for the gradebook, the service's Alembic scripts for the
service); rows are then copied table by table in foreign-key order, inside one transaction on
the destination, so a failed copy leaves the destination as it was.

A backup is one zip file holding one SQLite file per database (``service.sqlite``,
``gradebook.sqlite``) and ``manifest.json`` (revisions and row counts): readable with any
SQLite tool, and restorable into SQLite or PostgreSQL alike.

>>> dbs = data_databases(Path("du-lieu"))  # doctest: +SKIP
>>> backup(dbs, Path("sao-luu.zip"))  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

NAMES = ("service", "gradebook")
# Each owner keeps its Alembic revision in its own table, so both may share one database.
VERSION_TABLES = {"service": "service_alembic_version", "gradebook": "alembic_version"}
# Rows a new schema holds already (nbgrader adds its course when a gradebook is opened).
SCHEMA_ROWS = {"service": set(), "gradebook": {"course"}}
BATCH = 2000
FORMAT = "assessment-db-backup/1"


class DbToolError(Exception):
    """A problem the user can fix; ``str(error)`` is the Vietnamese message."""


@dataclass(frozen=True)
class Database:
    """One of the service's databases: ``name`` is "service" or "gradebook"."""

    name: str
    url: str

    @property
    def label(self) -> str:
        """The URL without its password, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def sqlite_path(self) -> Path | None:
        url = make_url(self.url)
        if url.get_backend_name() != "sqlite":
            return None
        return Path(url.database or "")


def data_databases(data: Path) -> list[Database]:
    """The embedded deployment of ``assessment serve --data DIR``: two SQLite files in DIR."""
    from assessment.service import db

    return [Database("service", db.database_url(Path(data))),
            Database("gradebook", db.gradebook_url(Path(data)))]


def check_urls(databases: list[Database]) -> None:
    """Clear errors for a malformed URL or a SQLite URL without a file."""
    for db in databases:
        try:
            url = make_url(db.url)
        except ArgumentError:
            raise DbToolError(
                f"Địa chỉ cơ sở dữ liệu «{db.url}» không đúng dạng. Ví dụ đúng: "
                "sqlite:////srv/assessment/service.db hoặc "
                "postgresql+psycopg://assessment@localhost/assessment.") from None
        if url.get_backend_name() == "sqlite" and not url.database:
            raise DbToolError(f"«{db.url}»: cần đường dẫn tệp SQLite (sqlite:///duong/dan.db).")


def engine_for(db: Database) -> Engine:
    if (path := db.sqlite_path) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return create_engine(db.url)
    except (ArgumentError, ModuleNotFoundError) as error:
        raise DbToolError(f"Không mở được «{db.label}»: {error}. Với PostgreSQL cần gói "
                          "psycopg (pip install 'psycopg[binary]').") from None


# --- Schemas, made only by their owners' migrations ---------------------------------------

def upgrade_gradebook(url: str) -> None:
    """The gradebook's schema at nbgrader's newest revision, as nbgrader makes it.

    nbgrader creates its tables when a Gradebook is opened, but records its Alembic revision
    only in a database that had no table at all: in a database shared with the service it is
    recorded here, as nbgrader would have. An older gradebook is brought up to date with
    nbgrader's own migrations (what ``nbgrader db upgrade`` runs). Our course's row is made
    too: `assessment serve` runs this before its workers start, so that the first submission
    does not wait seconds for nbgrader's migrations and the workers never race for the row.
    """
    from alembic.script import ScriptDirectory
    from nbgrader import dbutil

    from assessment.grading.record import course_gradebook

    head = ScriptDirectory(dbutil.ALEMBIC_DIR).get_current_head()
    with course_gradebook(url) as gradebook:
        with gradebook.engine.begin() as conn:
            if not inspect(conn).has_table(VERSION_TABLES["gradebook"]):
                conn.execute(text("CREATE TABLE alembic_version "
                                  "(version_num VARCHAR(32) NOT NULL)"))
                conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                             {"v": head})
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if current != head:
        dbutil.upgrade(url)


def _upgrade_service(url: str) -> None:
    """The service's Alembic migrations, to their newest revision."""
    from assessment.service.db import upgrade

    upgrade(url)


def _owned_tables(name: str) -> set[str]:
    """The tables one owner's schema defines (only these are copied)."""
    if name == "service":
        from assessment.service.models import metadata
    else:
        from nbgrader.api import Base

        metadata = Base.metadata
    return set(metadata.tables)


UPGRADES: dict[str, Callable[[str], None]] = {"service": _upgrade_service,
                                               "gradebook": upgrade_gradebook}


def upgrade(databases: list[Database]) -> None:
    """Create or bring every schema to its newest revision (``assessment db upgrade``)."""
    check_urls(databases)
    for db in databases:
        engine_for(db).dispose()  # creates the folder of a SQLite file
        try:
            UPGRADES[db.name](db.url)
        except SQLAlchemyError as error:
            raise DbToolError(f"Không nâng cấp được «{db.label}»: "
                              f"{getattr(error, 'orig', error)}") from None


# --- Copying rows ---------------------------------------------------------------------------

def _reflect(conn, name: str) -> MetaData:
    """The owner's tables as they are in the database (with its Alembic version table)."""
    wanted = _owned_tables(name) | {VERSION_TABLES[name]}
    metadata = MetaData()
    metadata.reflect(bind=conn, only=lambda table, _meta: table in wanted)
    return metadata


def _revision(conn, metadata: MetaData, name: str) -> str | None:
    table = metadata.tables.get(VERSION_TABLES[name])
    return None if table is None else conn.execute(select(table.c.version_num)).scalar()


def _data_tables(metadata: MetaData, name: str) -> list:
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLES[name]]


def row_counts(db: Database) -> dict[str, int]:
    """Rows per table (without Alembic's version table), in foreign-key order."""
    engine = engine_for(db)
    try:
        with engine.connect() as conn:
            metadata = _reflect(conn, db.name)
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in _data_tables(metadata, db.name)}
    finally:
        engine.dispose()


def _reset_sequences(conn, tables) -> None:
    """After copying explicit ids into PostgreSQL, move each id sequence past the largest id."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence:
                conn.execute(text(
                    f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") '
                    f'FROM "{table.name}"), 1), (SELECT COUNT(*) > 0 FROM "{table.name}"))'),
                    {"s": sequence})


def copy_rows(source: Database, target: Database, *, replace: bool) -> dict[str, int]:
    """Copy every row of ``source`` into ``target`` (whose schema must exist already).

    Both must be at the same migration revision. ``replace`` deletes the target's rows first;
    otherwise a target that holds any row is refused. One transaction on the target: on any
    error nothing of it changes. Returns the rows copied per table.
    """
    src_engine, dst_engine = engine_for(source), engine_for(target)
    counts: dict[str, int] = {}
    try:
        with src_engine.connect() as src, dst_engine.begin() as dst:
            src_meta, dst_meta = _reflect(src, source.name), _reflect(dst, target.name)
            src_rev = _revision(src, src_meta, source.name)
            dst_rev = _revision(dst, dst_meta, target.name)
            if src_rev != dst_rev:
                raise DbToolError(
                    f"«{source.label}» ở phiên bản lược đồ {src_rev}, còn «{target.label}» ở "
                    f"phiên bản {dst_rev}. Chạy «assessment db upgrade» cho cả hai trước.")
            tables = _data_tables(dst_meta, target.name)
            missing = [t.name for t in _data_tables(src_meta, source.name)
                       if t.name not in dst_meta.tables]
            if missing:
                raise DbToolError(f"«{target.label}» thiếu bảng {', '.join(missing)}.")
            if not replace:
                full = [t.name for t in tables if t.name not in SCHEMA_ROWS[target.name]
                        and dst.execute(select(func.count()).select_from(t)).scalar_one()]
                if full:
                    raise DbToolError(
                        f"«{target.label}» đã có dữ liệu (bảng {', '.join(full)}). Chỉ chuyển "
                        "vào một cơ sở dữ liệu mới, trống; hoặc dùng «assessment db restore» "
                        "để thay toàn bộ dữ liệu của nó.")
            for table in reversed(tables):
                dst.execute(table.delete())
            for table in tables:
                counts[table.name] = _copy_table(src, src_meta.tables.get(table.name), dst,
                                                 table)
            if dst.dialect.name == "postgresql":
                _reset_sequences(dst, tables)
    except SQLAlchemyError as error:
        raise DbToolError(f"Không chép được dữ liệu từ «{source.label}» sang «{target.label}»: "
                          f"{getattr(error, 'orig', error)}") from None
    finally:
        src_engine.dispose()
        dst_engine.dispose()
    return counts


def _copy_table(src, src_table, dst, dst_table) -> int:
    if src_table is None:
        return 0
    extra = set(src_table.c.keys()) - set(dst_table.c.keys())
    if extra:
        raise DbToolError(f"Bảng {dst_table.name} ở nơi nhận thiếu cột {', '.join(extra)}.")
    result = src.execution_options(yield_per=BATCH).execute(select(src_table))
    copied = 0
    for rows in result.mappings().partitions(BATCH):
        dst.execute(dst_table.insert(), [dict(row) for row in rows])
        copied += len(rows)
    return copied


# --- Backup, restore, move ------------------------------------------------------------------

@contextmanager
def _scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="assessment-db-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file, with SQLite's own online backup API."""
    if not source.is_file():
        raise DbToolError(f"Không tìm thấy tệp cơ sở dữ liệu «{source}».")
    src = sqlite3.connect(source)  # the backup API only reads it
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def backup(databases: list[Database], file: Path) -> dict[str, dict[str, int]]:
    """Write one zip with a SQLite copy of every database; return its row counts."""
    check_urls(databases)
    file = Path(file)
    manifest: dict = {"format": FORMAT, "created": datetime.now(UTC).isoformat(),
                      "databases": {}}
    paths = [db.sqlite_path for db in databases]
    for db in databases:  # a file that is not there is a mistyped folder, not an empty DB
        if db.sqlite_path is not None and not db.sqlite_path.is_file():
            raise DbToolError(f"Không tìm thấy tệp cơ sở dữ liệu «{db.sqlite_path}».")
        UPGRADES[db.name](db.url)  # idempotent; records a revision nbgrader left out
    with _scratch() as folder:
        for db in databases:
            copy = folder / f"{db.name}.sqlite"
            path = db.sqlite_path
            if path is not None and paths.count(path) == 1:  # its own file: copy it whole
                _sqlite_snapshot(path, copy)
            else:
                snapshot = Database(db.name, f"sqlite:///{copy}")
                UPGRADES[db.name](snapshot.url)
                copy_rows(db, snapshot, replace=True)
            counts = row_counts(Database(db.name, f"sqlite:///{copy}"))
            manifest["databases"][db.name] = {"source": db.label, "rows": counts}
        partial = file.with_name(f".{file.name}.tmp")
        file.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
            for db in databases:
                archive.write(folder / f"{db.name}.sqlite", f"{db.name}.sqlite")
        os.replace(partial, file)
    return {name: info["rows"] for name, info in manifest["databases"].items()}


def _open_backup(file: Path, folder: Path) -> dict:
    if not Path(file).is_file():
        raise DbToolError(f"Không tìm thấy tệp sao lưu «{file}».")
    try:
        with zipfile.ZipFile(file) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise KeyError("format")
            for name in manifest["databases"]:
                archive.extract(f"{name}.sqlite", folder)
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise DbToolError(f"«{file}» không phải tệp sao lưu của «assessment db backup».") from None
    return manifest


def restore(databases: list[Database], file: Path) -> dict[str, dict[str, int]]:
    """Replace the contents of every database with those of a backup; return row counts."""
    check_urls(databases)
    restored = {}
    with _scratch() as folder:
        manifest = _open_backup(file, folder)
        absent = [db.name for db in databases if db.name not in manifest["databases"]]
        if absent:
            raise DbToolError(f"Tệp sao lưu «{file}» không có {', '.join(absent)}.")
        paths = [db.sqlite_path for db in databases]
        for db in databases:
            copy = folder / f"{db.name}.sqlite"
            path = db.sqlite_path
            if path is not None and paths.count(path) == 1:  # its own file: replace it whole
                path.parent.mkdir(parents=True, exist_ok=True)
                src, dst = sqlite3.connect(copy), sqlite3.connect(path)
                try:
                    src.backup(dst)  # replaces the file's content in one step
                finally:
                    src.close()
                    dst.close()
            else:
                UPGRADES[db.name](db.url)
                copy_rows(Database(db.name, f"sqlite:///{copy}"), db, replace=True)
            restored[db.name] = row_counts(db)
            expected = manifest["databases"][db.name]["rows"]
            if restored[db.name] != expected:
                raise DbToolError(f"Khôi phục «{db.label}» không đủ dòng: {restored[db.name]} "
                                  f"thay vì {expected}.")
    return restored


def move(sources: list[Database], targets: list[Database]) -> dict[str, dict[str, int]]:
    """Copy each source database into its new, empty target (same names), every row."""
    check_urls(sources)
    check_urls(targets)
    by_name = {db.name: db for db in targets}
    moved = {}
    for source in sources:
        target = by_name[source.name]
        if (path := source.sqlite_path) is not None and not path.is_file():
            raise DbToolError(f"Không tìm thấy tệp cơ sở dữ liệu «{path}».")
        UPGRADES[source.name](source.url)
        UPGRADES[target.name](target.url)
        moved[source.name] = copy_rows(source, target, replace=False)
        if row_counts(target) != row_counts(source):
            raise DbToolError(f"Số dòng ở «{target.label}» khác «{source.label}».")
    return moved
