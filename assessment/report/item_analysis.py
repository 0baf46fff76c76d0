"""Question analysis for trainers: how hard each question is and how well it separates.

For every question (nbgrader grade cell; its grade_id is derived from the bank's question id)
of every quiz, over the submissions graded up to the cut-off date (undated ones included),
pooled over all gradebooks:

- ``facility``: the mean score on the question as a share of its points (1 = everyone right);
- ``correct``: the share of submissions with full points on it;
- ``discrimination``: the corrected point-biserial correlation, i.e. the Pearson correlation
  between the score on the question and the score on the rest of the quiz (both as shares of
  their maxima), so the question is not correlated with itself.

Flags (thresholds below, as in common test-analysis practice): too easy, too hard, negative or
weak discrimination, and too few submissions to judge.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

TOO_EASY = 0.90      # facility at or above
TOO_HARD = 0.30      # facility at or below
WEAK = 0.20          # discrimination below this (and not negative)
MIN_RESPONSES = 10   # fewer submissions than this: flag as not enough data

FLAG_EASY = "Quá dễ"
FLAG_HARD = "Quá khó"
FLAG_NEGATIVE = "Phân biệt ngược (người giỏi làm sai nhiều hơn): xem lại đáp án, câu chữ"
FLAG_WEAK = "Phân biệt yếu"
FLAG_FEW = "Ít bài làm, chưa đủ để kết luận"

COLUMNS = ["quiz", "notebook", "question", "responses", "max_score", "facility", "correct",
           "discrimination", "flags"]


def _flags(row: pd.Series) -> str:
    found = []
    if row["facility"] >= TOO_EASY:
        found.append(FLAG_EASY)
    if row["facility"] <= TOO_HARD:
        found.append(FLAG_HARD)
    r = row["discrimination"]
    if pd.notna(r) and r < 0:
        found.append(FLAG_NEGATIVE)
    elif pd.notna(r) and r < WEAK:
        found.append(FLAG_WEAK)
    if row["responses"] < MIN_RESPONSES:
        found.append(FLAG_FEW)
    return "; ".join(found)


def _natural(names: pd.Series) -> pd.Series:
    """Sort key that puts "cau-2" before "cau-10"."""
    return names.map(lambda s: re.sub(r"\d+", lambda m: m.group().zfill(10), str(s)))


def analyse(grades: pd.DataFrame, keep: pd.Series | None = None) -> pd.DataFrame:
    """One row per (quiz, notebook, question) from per-question grades (columns of
    ``assessment.report.gradebook.GRADE_COLUMNS``); ``keep`` lists the submissions to use."""
    g = grades[grades["max_score"] > 0]
    if keep is not None:
        g = g[g["submission"].isin(keep)]
    if g.empty:
        return pd.DataFrame(columns=COLUMNS)
    keys = ["quiz", "notebook", "question"]
    submission = g["submission"].astype(str)
    score, points = g["score"].to_numpy(float), g["max_score"].to_numpy(float)
    total = pd.Series(score).groupby(submission.to_numpy()).transform("sum").to_numpy()
    total_max = pd.Series(points).groupby(submission.to_numpy()).transform("sum").to_numpy()
    rest_max = total_max - points
    x = score / points
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(rest_max > 0, (total - score) / rest_max, np.nan)
    work = pd.DataFrame({
        **{k: g[k].astype(str).to_numpy() for k in keys},
        "x": x, "y": y, "xy": x * y, "xx": x * x, "yy": y * y, "points": points,
        "full": (score >= points - 1e-9).astype(float),
    })
    sums = work.groupby(keys, sort=False).agg(
        n=("x", "size"), max_score=("points", "max"), sx=("x", "sum"), sxx=("xx", "sum"),
        sy=("y", "sum"), syy=("yy", "sum"), sxy=("xy", "sum"), ny=("y", "count"),
        full=("full", "sum")).reset_index()
    n = sums["n"].astype(float)
    cov = n * sums["sxy"] - sums["sx"] * sums["sy"]
    var_x = n * sums["sxx"] - sums["sx"] ** 2
    var_y = n * sums["syy"] - sums["sy"] ** 2
    denominator = np.sqrt((var_x * var_y).clip(lower=0))
    # Undefined when every answer is the same, or when the quiz has no other question.
    valid = (sums["ny"] == n) & (n >= 2) & (denominator > 1e-12)
    out = pd.DataFrame({
        "quiz": sums["quiz"], "notebook": sums["notebook"], "question": sums["question"],
        "responses": n.astype(int), "max_score": sums["max_score"], "facility": sums["sx"] / n,
        "correct": sums["full"] / n,
        "discrimination": np.where(valid, cov / denominator.where(valid, 1), np.nan),
    })
    out = out.sort_values(keys, key=_natural, kind="stable").reset_index(drop=True)
    out["flags"] = out.apply(_flags, axis=1) if len(out) else ""
    return out[COLUMNS]
