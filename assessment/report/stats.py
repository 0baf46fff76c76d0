"""Who is trained, and how far each group, unit and level is from the plan's targets.

A cadre counts as trained once any counted quiz is passed (score ≥ pass mark × maximum, a tie
passes) on or before the cut-off date, dated by the first passing submission. Dates are the
local dates (the targets file's time zone) of nbgrader's UTC timestamps. A passing submission
with no timestamp cannot be dated: it is not counted and is listed for the trainer to fix.

Per row of every table: headcount, trained, rate (none when there are no cadres), target,
needed = ⌈target × headcount⌉, shortfall = max(0, needed − trained), expected_rate =
target × elapsed, required_now = ⌈expected_rate × headcount⌉, on_track = trained ≥
required_now (see ``assessment.report.targets`` for ``elapsed``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assessment.report.gradebook import GradebookData
from assessment.report.item_analysis import analyse
from assessment.report.targets import EPSILON, Targets
from assessment.vntext import fold

STATUS_TRAINED = "Đã đạt"
STATUS_FAILED = "Chưa đạt"
STATUS_NONE = "Chưa làm bài"
SEX_UNKNOWN = "Không ghi"
_SEX = {"nam": "Nam", "male": "Nam", "m": "Nam", "nu": "Nữ", "female": "Nữ", "f": "Nữ"}

METRICS = ["headcount", "trained", "rate", "target", "needed", "shortfall", "expected_rate",
           "required_now", "on_track"]


@dataclass
class Results:
    """Everything the report files show, computed once."""

    as_of: dt.date
    elapsed: float
    cadres: pd.DataFrame          # one row per roster cadre, with status and dates
    by_group: pd.DataFrame
    by_unit: pd.DataFrame         # group × unit
    by_level: pd.DataFrame        # group × level (every level of the targets file)
    by_sex: pd.DataFrame          # group × sex; empty when the roster has no sex column
    unit_rates: pd.DataFrame      # unit, all groups together (for the chart)
    total: dict
    unmatched: pd.DataFrame       # submissions whose student is not in the roster
    undated: pd.DataFrame         # passing submissions of roster cadres with no date
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    quizzes: list[str] = field(default_factory=list)

    @property
    def not_trained(self) -> pd.DataFrame:
        rows = self.cadres[~self.cadres["trained"]]
        return rows.sort_values(["unit", "group", "name"], kind="stable")


def metrics(headcount: pd.Series, trained: pd.Series, target: pd.Series,
            elapsed: float) -> pd.DataFrame:
    """The target columns for rows with these counts (vectorised)."""
    head = headcount.to_numpy(dtype=float)
    done = trained.to_numpy(dtype=float)
    share = target.to_numpy(dtype=float)
    has = head > 0
    needed = np.ceil(share * head - EPSILON)
    required = np.ceil(share * elapsed * head - EPSILON)
    out = pd.DataFrame({
        "headcount": head.astype(int),
        "trained": done.astype(int),
        "rate": pd.array(np.where(has, done / np.where(has, head, 1), np.nan), dtype="Float64"),
        "target": share,
        "needed": needed.astype(int),
        "shortfall": np.maximum(0, needed - done).astype(int),
        "expected_rate": share * elapsed,
        "required_now": required.astype(int),
        "on_track": pd.array(np.where(has, done >= required, False), dtype="boolean"),
    }, index=headcount.index)
    out.loc[~has, "rate"] = pd.NA
    out.loc[~has, "on_track"] = pd.NA
    return out


def _sex(value: str) -> str:
    return _SEX.get(fold(value), value) if value else SEX_UNKNOWN


def _prepare(subs: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    subs = subs.copy()
    subs["key"] = subs["student_id"].astype(str).str.strip().str.casefold()
    subs["counted"] = subs["quiz"].map(targets.counts).astype(bool)
    subs["share"] = np.where(subs["max_score"] > 0,
                             subs["score"] / subs["max_score"].where(subs["max_score"] > 0, 1), 0)
    subs["passed"] = (subs["max_score"] > 0) & (
        subs["score"] >= targets.pass_mark * subs["max_score"] - EPSILON)
    stamps = pd.to_datetime(subs["timestamp"]).dt.tz_localize("UTC").dt.tz_convert(targets.tz)
    subs["local_time"] = stamps.dt.tz_localize(None)
    subs["date"] = subs["local_time"].dt.normalize()  # local day, NaT when not dated
    return subs


def _cadre_status(roster: pd.DataFrame, subs: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    mine = subs[subs["counted"] & subs["key"].isin(roster["key"])]
    dated = mine[mine["date"].notna()]
    cutoff = pd.Timestamp(as_of)
    before = dated[dated["date"] <= cutoff]
    after = dated[dated["date"] > cutoff]
    first_pass = before[before["passed"]].groupby("key")["date"].min()
    later_pass = after[after["passed"]].groupby("key")["date"].min()
    cadres = roster.copy()

    def per_cadre(values: pd.Series) -> np.ndarray:
        return values.reindex(cadres["key"]).to_numpy()  # keeps dates as dates, even if empty

    cadres["attempts"] = np.nan_to_num(per_cadre(before.groupby("key").size())).astype(int)
    cadres["best_share"] = per_cadre(before.groupby("key")["share"].max())
    cadres["trained_date"] = per_cadre(first_pass)
    cadres["trained"] = cadres["trained_date"].notna()
    cadres["passed_after"] = per_cadre(later_pass)
    cadres["status"] = np.select(
        [cadres["trained"], cadres["attempts"] > 0], [STATUS_TRAINED, STATUS_FAILED],
        default=STATUS_NONE)
    spellings = cadres["sex"].unique()  # a few spellings, 20,000 cadres: fold each once
    cadres["sex"] = cadres["sex"].map(dict(zip(spellings, map(_sex, spellings), strict=True)))
    return cadres


def _table(cadres: pd.DataFrame, targets: Targets, elapsed: float,
           extra: str | None = None, every: list[str] | None = None) -> pd.DataFrame:
    """Counts by group (and ``extra``), every group of the plan listed, then the metrics."""
    keys = ["group"] + ([extra] if extra else [])
    counts = cadres.groupby(keys, sort=False)["trained"].agg(headcount="size", trained="sum")
    codes = [g.code for g in targets.groups]
    if extra is None:
        counts = counts.reindex(codes, fill_value=0)
    elif every is not None:
        counts = counts.reindex(pd.MultiIndex.from_product([codes, every], names=keys),
                                fill_value=0)
    counts = counts.reset_index()
    order = {c: i for i, c in enumerate(codes)}
    counts = counts.sort_values(keys, key=lambda s: s.map(order) if s.name == "group" else s,
                                kind="stable").reset_index(drop=True)
    target = counts["group"].map({g.code: g.target for g in targets.groups})
    names = {g.code: g.name for g in targets.groups}
    table = pd.concat([counts[keys],
                       metrics(counts["headcount"], counts["trained"], target, elapsed)], axis=1)
    table.insert(1, "group_name", table["group"].map(names))
    return table


def _total(by_group: pd.DataFrame) -> dict:
    head, done = int(by_group["headcount"].sum()), int(by_group["trained"].sum())
    present = by_group[by_group["headcount"] > 0]
    return {
        "headcount": head, "trained": done, "rate": done / head if head else None,
        "needed": int(by_group["needed"].sum()), "shortfall": int(by_group["shortfall"].sum()),
        "required_now": int(by_group["required_now"].sum()),
        "groups_with_cadres": len(present),
        "groups_on_track": int(present["on_track"].fillna(False).sum()),
    }


def compute(roster: pd.DataFrame, data: GradebookData, targets: Targets,
            as_of: dt.date) -> Results:
    """All tables of the report for cadres in ``roster`` at the end of ``as_of``."""
    elapsed = targets.elapsed(as_of)
    subs = _prepare(data.submissions, targets)
    cadres = _cadre_status(roster, subs, as_of)
    matched = subs["key"].isin(roster["key"])
    undated = subs[matched & subs["counted"] & subs["passed"] & subs["date"].isna()]
    undated = undated.merge(roster[["key", "id", "name", "unit"]], on="key", how="left")
    unmatched = subs[~matched].sort_values(["gradebook", "quiz", "student_id"], kind="stable")
    level_codes = [lv.code for lv in targets.levels]
    by_level = _table(cadres, targets, elapsed, "level", every=level_codes)
    by_level.insert(3, "level_name", by_level["level"].map(
        {lv.code: lv.name for lv in targets.levels}))
    has_sex = bool((roster["sex"] != "").any())
    unit_counts = cadres.groupby("unit")["trained"].agg(headcount="size", trained="sum")
    unit_rates = unit_counts.assign(rate=unit_counts["trained"] / unit_counts["headcount"])
    by_group = _table(cadres, targets, elapsed)
    graded = subs.loc[subs["date"].isna() | (subs["date"] <= pd.Timestamp(as_of)), "submission"]
    return Results(
        as_of=as_of, elapsed=elapsed, cadres=cadres, by_group=by_group,
        by_unit=_table(cadres, targets, elapsed, "unit"),
        by_level=by_level,
        by_sex=_table(cadres, targets, elapsed, "sex") if has_sex else pd.DataFrame(),
        unit_rates=unit_rates.reset_index().sort_values(["rate", "unit"], ascending=[True, True]),
        total=_total(by_group), unmatched=unmatched.reset_index(drop=True),
        undated=undated.reset_index(drop=True), items=analyse(data.grades, graded),
        quizzes=sorted(subs["quiz"].unique().tolist()),
    )
