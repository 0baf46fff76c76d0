"""The numbers of the report on hand-made gradebooks, checked against values worked out by hand.

The case (tests/report_fixtures.py, ``report_case``): pass mark 0.7 of 10 points, cut-off
30/11/2024 in Vietnam time, plan from 01/01/2023 to 31/12/2028.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from report_fixtures import AS_OF, TEN, Sub, make_gradebook, write_csv

from assessment.report.gradebook import read_gradebooks
from assessment.report.item_analysis import analyse
from assessment.report.roster import read_roster
from assessment.report.stats import STATUS_FAILED, STATUS_NONE, STATUS_TRAINED, compute
from assessment.report.targets import load_targets

from conftest import ROOT

CUTOFF = dt.date.fromisoformat(AS_OF)
# Days from 01/01/2023 to 30/11/2024, both counted: 365 (2023) + 335 (Jan..Nov 2024, leap year).
# Days of the plan, 01/01/2023 to 31/12/2028: six years, two of them leap (2024, 2028).
ELAPSED = (365 + 335) / (6 * 365 + 2)


@pytest.fixture(scope="module")
def results(report_case):
    targets = load_targets(ROOT / "quizzes/targets.yml")
    roster = read_roster(report_case.roster, targets)
    data = read_gradebooks([str(p) for p in report_case.gradebooks])
    return compute(roster.frame, data, targets, CUTOFF)


def row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.logical_and.reduce([frame[k] == v for k, v in where.items()])
    assert mask.sum() == 1, f"expected one row for {where}, found {mask.sum()}"
    return frame[mask].iloc[0]


def test_elapsed_share_of_the_plan(results):
    assert results.elapsed == pytest.approx(ELAPSED)
    assert ELAPSED == pytest.approx(700 / 2192)


def test_each_cadre_status_and_date(results):
    cadres = results.cadres.set_index("id")
    # CB001: 7/10 in March (a tie at the pass mark passes) and 10/10 in February in the other
    # gradebook: trained, dated by the earlier pass.
    assert cadres.loc["CB001", "status"] == STATUS_TRAINED
    assert cadres.loc["CB001", "trained_date"] == pd.Timestamp("2024-02-01")
    # CB002: failed (6/10) in class 1, passed the retake in class 2: one cadre, two gradebooks.
    assert cadres.loc["CB002", "trained_date"] == pd.Timestamp("2024-09-15")
    assert cadres.loc["CB002", "attempts"] == 2
    # CB003 passed only after the cut-off: not trained, noted.
    assert cadres.loc["CB003", "status"] == STATUS_NONE
    assert cadres.loc["CB003", "passed_after"] == pd.Timestamp("2024-12-05")
    # cb004 in nbgrader is CB004 in the roster.
    assert cadres.loc["CB004", "status"] == STATUS_TRAINED
    # CB006 submitted at 23:30 Vietnam time on the cut-off day: counts.
    assert cadres.loc["CB006", "trained_date"] == pd.Timestamp("2024-11-30")
    # CB007 (" CB007 " in the roster) submitted at 18:00 UTC, i.e. 1/12 in Vietnam: too late.
    assert cadres.loc["CB007", "passed_after"] == pd.Timestamp("2024-12-01")
    assert not cadres.loc["CB007", "trained"]
    # CB005 only sat a formative quiz; CB008's pass has no date.
    assert cadres.loc["CB005", "status"] == STATUS_NONE
    assert cadres.loc["CB008", "status"] == STATUS_NONE
    assert sorted(cadres.index[cadres["trained"]]) == ["CB001", "CB002", "CB004", "CB006"]


def test_by_group_against_hand_computed_values(results):
    g = results.by_group.set_index("group")
    expected = {  # group: (headcount, trained, target)
        "nhan-quyen": (3, 3, 1.0),               # CB001, CB002, CB006
        "thong-tin-truyen-thong": (3, 1, 1.0),   # CB003, CB004, CB007
        "doi-ngoai-bao-chi": (2, 0, 1.0),        # CB005, CB008
        "chu-chot-ctxh": (0, 0, 0.7),            # nobody in the roster
    }
    assert list(g.index) == list(expected)
    for code, (head, trained, target) in expected.items():
        r = g.loc[code]
        assert (r["headcount"], r["trained"], r["target"]) == (head, trained, target)
        assert r["needed"] == math.ceil(target * head)
        assert r["shortfall"] == max(0, math.ceil(target * head) - trained)
        assert r["required_now"] == math.ceil(target * ELAPSED * head)
        if head:
            assert r["rate"] == pytest.approx(trained / head)
            assert bool(r["on_track"]) == (trained >= math.ceil(target * ELAPSED * head))
    # 0.3193 × 2 = 0.64 → 1 needed by now, 0 trained: behind; 1/3 trained of 3 is on track.
    assert not g.loc["doi-ngoai-bao-chi", "on_track"]
    assert g.loc["thong-tin-truyen-thong", "on_track"]


def test_group_with_no_cadres_has_no_rate(results):
    empty = results.by_group.set_index("group").loc["chu-chot-ctxh"]
    assert pd.isna(empty["rate"]) and pd.isna(empty["on_track"])
    assert empty["shortfall"] == 0


def test_totals(results):
    assert results.total == {
        "headcount": 8, "trained": 4, "rate": 0.5, "needed": 8, "shortfall": 4,
        "required_now": 1 + 1 + 1 + 0, "groups_with_cadres": 3, "groups_on_track": 2}


def test_by_level_and_unit_and_sex(results):
    lv = results.by_level
    assert row(lv, group="nhan-quyen", level="tinh")[["headcount", "trained"]].tolist() == [2, 2]
    assert row(lv, group="thong-tin-truyen-thong", level="huyen")[
        ["headcount", "trained"]].tolist() == [2, 1]
    # every level of the plan is listed, even with nobody in it: no rate then
    assert pd.isna(row(lv, group="doi-ngoai-bao-chi", level="huyen")["rate"])
    assert len(lv) == 4 * 2
    unit = row(results.by_unit, group="thong-tin-truyen-thong", unit="UBND huyện Lục Ngạn")
    assert (unit["headcount"], unit["trained"], unit["rate"]) == (2, 1, 0.5)
    sex = results.by_sex
    assert row(sex, group="thong-tin-truyen-thong", sex="Nam")["trained"] == 1  # "nam" → Nam
    assert row(sex, group="doi-ngoai-bao-chi", sex="Không ghi")["headcount"] == 1
    units = results.unit_rates.set_index("unit")
    assert units.loc["Sở Tư pháp", "rate"] == pytest.approx(2 / 3)  # CB001, CB002 of 3


def test_unmatched_and_undated_are_listed_not_dropped(results):
    assert results.unmatched["student_id"].tolist() == ["XX999"]
    assert results.unmatched["passed"].tolist() == [True]
    assert results.undated["student_id"].tolist() == ["CB008"]


def test_targets_2025_structure_by_data_alone(tmp_path, report_case):
    """The current two-level structure: levels tỉnh and xã, the merged province."""
    targets = load_targets(ROOT / "quizzes/targets-2025.yml")
    assert targets.province == "tỉnh Bắc Ninh"
    assert targets.reporting_body == "Sở Văn hóa, Thể thao và Du lịch"
    assert [lv.code for lv in targets.levels] == ["tinh", "xa"]
    roster = write_csv(tmp_path / "ds-2025.csv", [
        [1, "CB001", "Nguyễn Thị An", "Sở Tư pháp", "Cấp tỉnh", "1", "Nữ"],
        [2, "CB004", "Phạm Văn Dũng", "UBND phường Chũ", "Cấp xã", "2", "Nam"],
        [3, "CB006", "Vũ Văn Phúc", "UBND xã Yên Thế", "xã", "1", "Nam"],
    ])
    data = read_gradebooks([str(p) for p in report_case.gradebooks])
    result = compute(read_roster(roster, targets).frame, data, targets, CUTOFF)
    by_level = result.by_level
    counts = row(by_level, group="nhan-quyen", level="xa")[["headcount", "trained"]]
    assert counts.tolist() == [1, 1]
    assert row(by_level, group="thong-tin-truyen-thong", level="xa")["trained"] == 1
    assert set(by_level["level"]) == {"tinh", "xa"}


def test_a_failed_attempt_only(tmp_path):
    targets = load_targets(ROOT / "quizzes/targets.yml")
    gb = make_gradebook(tmp_path / "g.db", {"kiem-tra-cuoi-khoa": TEN}, [
        Sub("kiem-tra-cuoi-khoa", "A1", "2024-01-05 08:00:00+07:00",
            {f"q{i}": 0.69 if i == 1 else (1.0 if i <= 7 else 0.0) for i in range(1, 11)})])
    roster = write_csv(tmp_path / "r.csv", [[1, "A1", "Lê Văn Khoa", "Sở Tư pháp", "tỉnh", "1",
                                             "Nam"]])
    result = compute(read_roster(roster, targets).frame, read_gradebooks([str(gb)]), targets,
                     CUTOFF)
    cadre = result.cadres.iloc[0]
    # 6.69 / 10 is just under the pass mark
    assert cadre["status"] == STATUS_FAILED
    assert cadre["best_share"] == pytest.approx(0.669)


def test_manual_score_and_extra_credit_as_nbgrader_counts_them(tmp_path):
    """nbgrader: a manual score replaces the autograder's; extra credit is added on top (to a
    manual or an automatic score). Here the pass rests on the extra credit, and the score is
    checked against nbgrader's own Submission.score."""
    from nbgrader.api import Gradebook

    targets = load_targets(ROOT / "quizzes/targets.yml")
    scores = {f"q{i}": 1.0 if i <= 7 else 0.0 for i in range(1, 11)}  # 7 right
    sub = Sub("kiem-tra-cuoi-khoa", "B1", "2024-01-05 08:00:00+07:00", scores,
              manual={"q7": 0.0},                       # a trainer takes q7 back: 6
              extra_credit={"q7": 0.5, "q10": 0.5})     # and gives 1 point of extra credit: 7
    gb = make_gradebook(tmp_path / "g.db", {"kiem-tra-cuoi-khoa": TEN}, [sub])
    with Gradebook(f"sqlite:///{gb}") as nbgrader_gb:
        expected = nbgrader_gb.find_submission("kiem-tra-cuoi-khoa", "B1").score
    assert expected == 7.0
    data = read_gradebooks([str(gb)])
    assert data.submissions["score"].tolist() == [expected]
    assert data.submissions["max_score"].tolist() == [10.0]  # extra credit is not in the maximum
    roster = write_csv(tmp_path / "r.csv", [[1, "B1", "Lê Văn Khoa", "Sở Tư pháp", "tỉnh", "1",
                                             "Nam"]])
    result = compute(read_roster(roster, targets).frame, data, targets, CUTOFF)
    assert result.cadres.iloc[0]["trained"]  # 7.0 of 10: passes only with the extra credit
    assert result.cadres.iloc[0]["best_share"] == pytest.approx(0.7)


def test_item_analysis_matches_numpy():
    """Facility and the corrected point-biserial, computed here directly with numpy."""
    rng = np.random.default_rng(5)
    ability = rng.uniform(0, 1, 40)
    answers = (rng.uniform(0, 1, (40, 6)) < ability[:, None]).astype(float)
    answers[:, 5] = 1 - answers[:, 0]  # question 6 separates the wrong way round
    rows = [{"submission": f"s{i}", "quiz": "kiem-tra-cuoi-khoa", "notebook": "nb",
             "question": f"cau-{j + 1}", "score": answers[i, j], "max_score": 1.0}
            for i in range(40) for j in range(6)]
    items = analyse(pd.DataFrame(rows)).set_index("question")
    total = answers.sum(axis=1)
    for j in range(6):
        rest = (total - answers[:, j]) / 5
        expected = np.corrcoef(answers[:, j], rest)[0, 1]
        assert items.loc[f"cau-{j + 1}", "facility"] == pytest.approx(answers[:, j].mean())
        assert items.loc[f"cau-{j + 1}", "discrimination"] == pytest.approx(expected)
    assert items.loc["cau-6", "discrimination"] < 0
    assert "Phân biệt ngược" in items.loc["cau-6", "flags"]
    assert list(items.index) == [f"cau-{j}" for j in range(1, 7)]


def test_item_analysis_flags_easy_hard_and_few():
    rows = []
    for i in range(12):
        rows += [{"submission": f"s{i}", "quiz": "q", "notebook": "nb", "question": "de",
                  "score": 1.0, "max_score": 1.0},
                 {"submission": f"s{i}", "quiz": "q", "notebook": "nb", "question": "kho",
                  "score": 1.0 if i == 0 else 0.0, "max_score": 1.0},
                 {"submission": f"s{i}", "quiz": "q", "notebook": "nb", "question": "vua",
                  "score": float(i % 2), "max_score": 1.0}]
    rows += [{"submission": "s0", "quiz": "q2", "notebook": "nb", "question": "it",
              "score": 1.0, "max_score": 2.0}]
    items = analyse(pd.DataFrame(rows)).set_index("question")
    assert items.loc["de", "flags"].startswith("Quá dễ")
    assert pd.isna(items.loc["de", "discrimination"])  # everyone right: undefined, not 0
    assert "Quá khó" in items.loc["kho", "flags"]
    assert items.loc["vua", "facility"] == pytest.approx(0.5)
    assert "Ít bài làm" in items.loc["it", "flags"]
    assert items.loc["it", "facility"] == pytest.approx(0.5)


def test_item_analysis_of_the_case_leaves_out_late_submissions(results):
    items = results.items
    first = items[items["quiz"] == "kiem-tra-cuoi-khoa"].set_index("question")
    # class 1 submissions up to the cut-off: CB001 (7), CB002 (6), cb004 (8), XX999 (10),
    # CB006 (7); question k is right for those with at least k right.
    scores = [7, 6, 8, 10, 7]
    for k in range(1, 11):
        assert first.loc[f"q{k}", "responses"] == 5
        assert first.loc[f"q{k}", "facility"] == pytest.approx(sum(s >= k for s in scores) / 5)
