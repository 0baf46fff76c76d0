"""The plan's targets, read from one YAML file (``quizzes/targets.yml``).

Groups, levels, the reporting body, the counted quizzes and the pass mark are data: the 2025
reforms changed levels and provinces, and the same code reports for either structure by
pointing at another file (``quizzes/targets-2025.yml``).

The "even path" used for ``on_track``: by the cut-off date a group should have reached

    expected = target × elapsed,  elapsed = days(start → cut-off) / days(start → deadline)

counting both ends, with ``start`` = 1 January of the start year and ``deadline`` =
31 December of the deadline year (elapsed is kept between 0 and 1). The group is on track when
``trained ≥ ⌈expected × headcount⌉``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from assessment.report.errors import ReportInputError
from assessment.vntext import clean, fold

# Shares are compared after rounding away float noise (0.7 × 10 must be 7, not 7.000000001).
EPSILON = 1e-9


@dataclass(frozen=True)
class Category:
    """A target group or a level: a code, a Vietnamese name, other spellings people type."""

    code: str
    name: str
    target: float | None = None  # groups only: the share to reach by the deadline
    aliases: tuple[str, ...] = ()

    def keys(self) -> set[str]:
        return {fold(k) for k in (self.code, self.name, *self.aliases)}


@dataclass(frozen=True)
class Targets:
    """Everything the report needs to know about the plan."""

    path: Path
    plan: str
    province: str
    reporting_body: str
    start: dt.date
    deadline: dt.date
    pass_mark: float
    counted_quizzes: tuple[str, ...]
    groups: tuple[Category, ...]
    levels: tuple[Category, ...]
    timezone: str = "Asia/Ho_Chi_Minh"
    _lookup: dict = field(default_factory=dict, compare=False, repr=False)

    def counts(self, quiz: str) -> bool:
        """Whether a passed nbgrader assignment of this name makes a cadre "trained"."""
        return any(fnmatch.fnmatchcase(quiz, pattern) for pattern in self.counted_quizzes)

    def find_group(self, text: str) -> Category | None:
        return self._lookup["group"].get(fold(text))

    def find_level(self, text: str) -> Category | None:
        return self._lookup["level"].get(fold(text))

    def elapsed(self, as_of: dt.date) -> float:
        """Share of the plan's period gone by the end of ``as_of`` (0 to 1)."""
        total = (self.deadline - self.start).days + 1
        gone = (as_of - self.start).days + 1
        return min(1.0, max(0.0, gone / total))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def needed(share: float, headcount: int) -> int:
    """Cadres who must have passed to reach ``share`` of ``headcount`` (rounded up)."""
    return math.ceil(share * headcount - EPSILON)


def _fail(path: Path, message: str) -> ReportInputError:
    return ReportInputError(f"Tệp chỉ tiêu «{path}»: {message}")


def _share(path: Path, where: str, value: object) -> float:
    """A share written as 0.7, 1, "70%" or "70 %"."""
    text = str(value).strip().replace(",", ".")
    try:
        share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        message = f"{where} = «{value}» không phải là tỷ lệ. Ghi dạng 0.7 hoặc \"70%\"."
        raise _fail(path, message) from None
    if not 0 < share <= 1:
        raise _fail(path, f"{where} = «{value}» phải lớn hơn 0 và không quá 100%.")
    return share


def _date(path: Path, key: str, value: object, end_of_year: bool) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and 2000 <= value <= 2100:
        return dt.date(value, 12, 31) if end_of_year else dt.date(value, 1, 1)
    raise _fail(path, f"{key} = «{value}»: ghi năm (ví dụ 2028) hoặc ngày dạng 2028-12-31.")


def _categories(path: Path, data: dict, key: str, with_target: bool) -> tuple[Category, ...]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise _fail(path, f"thiếu mục «{key}» (danh sách có ít nhất một phần tử).")
    result, seen = [], {}
    for i, item in enumerate(items, start=1):
        label = f"{key}[{i}]"
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            raise _fail(path, f"{label} cần có «code» và «name».")
        target = _share(path, f"{label}.target", item.get("target")) if with_target else None
        aliases = tuple(clean(a) for a in item.get("aliases") or [])
        category = Category(clean(item["code"]), clean(item["name"]), target, aliases)
        for k in category.keys():
            if k in seen and seen[k] != category.code:
                raise _fail(path, f"{label}: tên «{k}» trùng với mục «{seen[k]}».")
            seen[k] = category.code
        result.append(category)
    return tuple(result)


def load_targets(path: Path | str) -> Targets:
    """Read and check a targets file; raise ReportInputError naming the key to fix."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(path, "không tìm thấy tệp. Kiểm tra lại đường dẫn sau --targets.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise _fail(path, f"không đọc được YAML ({error}). Sửa cú pháp rồi chạy lại.") from None
    if not isinstance(data, dict):
        raise _fail(path, "tệp trống hoặc không đúng dạng (cần các mục plan, groups, levels…).")
    for key in ("plan", "province", "reporting_body", "start", "deadline", "pass_mark"):
        if data.get(key) in (None, ""):
            raise _fail(path, f"thiếu mục «{key}».")
    quizzes = data.get("counted_quizzes")
    if not isinstance(quizzes, list) or not quizzes or not all(isinstance(q, str) for q in quizzes):
        raise _fail(path, "mục «counted_quizzes» phải là danh sách tên bài kiểm tra được tính.")
    start = _date(path, "start", data["start"], end_of_year=False)
    deadline = _date(path, "deadline", data["deadline"], end_of_year=True)
    if deadline <= start:
        raise _fail(path, "«deadline» phải sau «start».")
    groups = _categories(path, data, "groups", with_target=True)
    levels = _categories(path, data, "levels", with_target=False)
    timezone = str(data.get("timezone") or "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"múi giờ «{timezone}» không tồn tại (ví dụ đúng: Asia/Ho_Chi_Minh)."
        raise _fail(path, message) from None
    lookup = {
        "group": {k: g for g in groups for k in g.keys()},
        "level": {k: lv for lv in levels for k in lv.keys()},
    }
    return Targets(
        path=path, plan=clean(data["plan"]), province=clean(data["province"]),
        reporting_body=clean(data["reporting_body"]), start=start, deadline=deadline,
        pass_mark=_share(path, "pass_mark", data["pass_mark"]),
        counted_quizzes=tuple(q.strip() for q in quizzes), groups=groups, levels=levels,
        timezone=timezone, _lookup=lookup,
    )
