"""The report's inputs: the targets files and the roster, good and bad (each bad case named)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook
from report_fixtures import ROSTER_HEADER, encode_cp1258, encode_tcvn3, write_csv

from assessment.quiz.spec import load_quizzes
from assessment.report.errors import ReportInputError
from assessment.report.roster import read_roster
from assessment.report.targets import load_targets, needed
from assessment.vntext import decode_legacy, fold, is_vietnamese_word

from conftest import ROOT

TARGETS = ROOT / "quizzes" / "targets.yml"
TARGETS_2025 = ROOT / "quizzes" / "targets-2025.yml"
ROWS = [
    [1, "CB001", "Nguyễn Thị An", "Sở Tư pháp", "Cấp tỉnh",
     "Cán bộ làm công tác quyền con người", "Nữ"],
    [2, "CB002", "Trần Văn Bình", "UBND huyện Lục Ngạn", "huyện", "4", "Nam"],
]


@pytest.fixture(scope="module")
def targets():
    return load_targets(TARGETS)


def error_of(path: Path, targets, **options) -> str:
    with pytest.raises(ReportInputError) as caught:
        read_roster(path, targets, **options)
    return str(caught.value)


def xlsx(path: Path, rows: list[list[object]], merge: list[str] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    for r in rows:
        sheet.append(r)
    for ref in merge:
        sheet.merge_cells(ref)
    book.save(path)
    return path


# --- targets ----------------------------------------------------------------------------------

def test_plan_as_written(targets):
    assert [(g.code, g.target) for g in targets.groups] == [
        ("nhan-quyen", 1.0), ("thong-tin-truyen-thong", 1.0), ("doi-ngoai-bao-chi", 1.0),
        ("chu-chot-ctxh", 0.7)]
    assert (targets.start.isoformat(), targets.deadline.isoformat()) == ("2023-01-01",
                                                                         "2028-12-31")
    assert [lv.code for lv in targets.levels] == ["tinh", "huyen"]
    assert targets.reporting_body == "Sở Thông tin và Truyền thông"
    assert targets.province == "tỉnh Bắc Giang"


def test_counted_quizzes_rule(targets):
    assert targets.counts("kiem-tra-cuoi-khoa")
    assert targets.counts("kiem-tra-cuoi-khoa-dot-2")
    assert targets.counts("kiem-tra-cuoi-khoa-thi-lai-1")
    assert not targets.counts("phan-1")
    assert not targets.counts("kiem-tra-cuoi")


def test_pass_mark_matches_the_final_quiz():
    """One pass mark: the targets files agree with quizzes/quizzes.yml."""
    final = load_quizzes(ROOT / "quizzes" / "quizzes.yml").quiz("kiem-tra-cuoi-khoa")
    for path in (TARGETS, TARGETS_2025):
        assert load_targets(path).pass_mark == pytest.approx(final.pass_mark)


def test_needed_rounds_up_without_float_noise():
    assert needed(0.7, 10) == 7      # 0.7 × 10 is 7.000000000000001 in floating point
    assert needed(0.7, 7) == 5       # 4.9 → 5
    assert needed(1.0, 0) == 0


@pytest.mark.parametrize("change, words", [
    ({"pass_mark": None}, "thiếu mục «pass_mark»"),
    ({"groups": [{"code": "a", "name": "A", "target": "150%"}]}, "groups[1].target"),
    ({"groups": [{"code": "a", "name": "A", "target": 1},
                 {"code": "b", "name": "A", "target": 1}]}, "trùng"),
    ({"deadline": 2020}, "«deadline» phải sau «start»"),
    ({"counted_quizzes": "kiem-tra-cuoi-khoa"}, "counted_quizzes"),
    ({"timezone": "Asia/Ha_Noi"}, "múi giờ"),
])
def test_bad_targets_are_named(tmp_path, change, words):
    data = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "chi-tieu.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ReportInputError) as caught:
        load_targets(path)
    assert str(path) in str(caught.value) and words in str(caught.value)


# --- Vietnamese text --------------------------------------------------------------------------

def test_fold_and_syllables():
    assert fold("  Mã cán bộ ") == fold("ma_can_bo") == "ma can bo"
    assert fold("ĐƠN VỊ") == "don vi"
    for word in ("Nguyễn", "thị", "Hương", "khuyết", "nghiêng", "Quyền"):
        assert is_vietnamese_word(word), word
    for word in ("Hä", "vµ", "tªn", "Hoừ", "cafè"):
        assert not is_vietnamese_word(word), word


def test_legacy_decoding_round_trip():
    text = "Mã cán bộ,Họ và tên\nCB001,Nguyễn Thị Hương\nCB002,Trần Văn Đức,Sở Tư pháp\n"
    assert decode_legacy(encode_cp1258(text)) == (text, "Windows-1258")
    assert decode_legacy(encode_tcvn3(text)) == (text, "TCVN3")
    assert decode_legacy("Ngày 12 café crème".encode("latin-1")) is None


# --- good rosters -----------------------------------------------------------------------------

def test_csv_with_bom_semicolons_title_and_aliases(tmp_path, targets):
    path = tmp_path / "ds.csv"
    lines = ["DANH SÁCH CÁN BỘ;;;;", "",
             "ma_can_bo;ho_ten;don_vi;cap;nhom;gioi_tinh;ghi_chu",
             " cb001 ;Nguyễn Thị  An ;Sở Tư pháp;tinh;nhan-quyen;nu;x",
             "CB002;Trần Văn Bình;UBND huyện Lục Ngạn;Huyện;Chủ chốt tổ chức chính trị - xã hội;;"]
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    frame = read_roster(path, targets).frame
    assert frame["id"].tolist() == ["cb001", "CB002"]
    assert frame["key"].tolist() == ["cb001", "cb002"]
    assert frame["name"].tolist() == ["Nguyễn Thị  An", "Trần Văn Bình"]  # as written
    assert frame["group"].tolist() == ["nhan-quyen", "chu-chot-ctxh"]
    assert frame["level"].tolist() == ["tinh", "huyen"]
    assert frame["row"].tolist() == [4, 5]


def test_xlsx_with_title_numeric_ids_and_decomposed_text(tmp_path, targets):
    decomposed = unicodedata.normalize("NFD", "Cán bộ làm công tác quyền con người")
    path = xlsx(tmp_path / "ds.xlsx", [
        ["DANH SÁCH CÁN BỘ CẦN TẬP HUẤN"], [],
        ["STT", "Mã cán bộ", "Họ và tên", "Đơn vị", "Cấp", "Nhóm", "Email"],
        [1, 1001, "Lê Thị Cúc", "Sở Tư pháp", "Cấp tỉnh", decomposed, "cuc@example.org"],
    ], merge=["A1:G1"])
    frame = read_roster(path, targets).frame
    assert frame.loc[0, "id"] == "1001" and frame.loc[0, "row"] == 4
    assert frame.loc[0, "group"] == "nhan-quyen"
    assert frame.loc[0, "email"] == "cuc@example.org"


@pytest.mark.parametrize("encode, name", [(encode_cp1258, "Windows-1258"),
                                          (encode_tcvn3, "TCVN3")])
def test_legacy_csv_is_converted_and_said(tmp_path, targets, encode, name):
    text = "\n".join(",".join(str(c) for c in r) for r in [ROSTER_HEADER, *ROWS]) + "\n"
    path = tmp_path / "ds.csv"
    path.write_bytes(encode(text))
    roster = read_roster(path, targets)
    assert roster.frame["name"].tolist() == ["Nguyễn Thị An", "Trần Văn Bình"]
    assert roster.frame["unit"].tolist()[1] == "UBND huyện Lục Ngạn"
    assert len(roster.notices) == 1 and name in roster.notices[0]
    assert "CSV UTF-8" in roster.notices[0]


# --- bad rosters: each names the file, the row and the column ---------------------------------

def test_missing_column(tmp_path, targets):
    path = write_csv(tmp_path / "ds.csv", [r[:5] for r in ROWS], header=ROSTER_HEADER[:5])
    message = error_of(path, targets)
    assert str(path) in message and "dòng 1" in message and "thiếu cột «Nhóm»" in message


def test_duplicate_id(tmp_path, targets):
    rows = [*ROWS, [3, "cb001 ", "Nguyễn Thị An", "Sở Tư pháp", "tỉnh", "1", "Nữ"]]
    message = error_of(write_csv(tmp_path / "ds.csv", rows), targets)
    assert "dòng 4, cột B («Mã cán bộ»)" in message and "trùng với dòng 2" in message


def test_unknown_group(tmp_path, targets):
    rows = [ROWS[0], [2, "CB002", "Trần Văn Bình", "Sở Tư pháp", "tỉnh", "Nhóm 9", "Nam"]]
    message = error_of(write_csv(tmp_path / "ds.csv", rows), targets)
    assert "dòng 3, cột F («Nhóm»)" in message and "«Nhóm 9»" in message
    assert "nhan-quyen" in message  # says what is allowed


def test_district_level_with_the_2025_targets(tmp_path):
    message = error_of(write_csv(tmp_path / "ds.csv", ROWS), load_targets(TARGETS_2025))
    assert "dòng 3, cột E («Cấp»)" in message and "«huyện»" in message
    assert "Cấp xã" in message


def test_empty_cells_listed_together(tmp_path, targets):
    rows = [[1, "CB001", "", "Sở Tư pháp", "tỉnh", "1", "Nữ"],
            [2, "CB002", "Trần Văn Bình", "", "tỉnh", "1", "Nam"]]
    message = error_of(write_csv(tmp_path / "ds.csv", rows), targets)
    assert "có 2 lỗi" in message
    assert "dòng 2, cột C («Họ và tên»)" in message and "dòng 3, cột D («Đơn vị»)" in message


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_empty_file(tmp_path, targets, suffix):
    path = tmp_path / f"ds{suffix}"
    if suffix == ".csv":
        path.write_bytes(b"")
    else:
        xlsx(path, [])
    message = error_of(path, targets)
    assert str(path) in message and "tệp trống" in message


def test_header_without_cadres(tmp_path, targets):
    message = error_of(write_csv(tmp_path / "ds.csv", []), targets)
    assert "dòng 1" in message and "không có cán bộ nào" in message


def test_merged_header_cells(tmp_path, targets):
    path = xlsx(tmp_path / "ds.xlsx", [
        ["Mã cán bộ", "Họ và tên", None, "Đơn vị", "Cấp", "Nhóm"],
        ["CB001", "Nguyễn Thị", "An", "Sở Tư pháp", "tỉnh", "1"],
    ], merge=["B1:C1"])
    message = error_of(path, targets)
    assert "ds.xlsx» trang «Danh sách»" in message and "dòng 1" in message
    assert "B1:C1" in message and "gộp" in message


def test_merged_data_cells(tmp_path, targets):
    path = xlsx(tmp_path / "ds.xlsx", [
        ["Mã cán bộ", "Họ và tên", "Đơn vị", "Cấp", "Nhóm"],
        ["CB001", "Nguyễn Thị An", "Sở Tư pháp", "tỉnh", "1"],
        ["CB002", "Trần Văn Bình", None, "tỉnh", "1"],
    ], merge=["C2:C3"])
    message = error_of(path, targets)
    assert "dòng 2, cột C" in message and "C2:C3" in message


def test_legacy_encoding_that_cannot_be_told(tmp_path, targets):
    path = tmp_path / "ds.csv"
    path.write_bytes("Mã cán bộ,Họ và tên\nCB1,José Müller café\n".encode("latin-1",
                                                                          errors="replace"))
    message = error_of(path, targets)
    assert str(path) in message and "dòng 1" in message
    assert "CSV UTF-8" in message and "Save As" in message


def test_legacy_encoding_refused_when_utf8_is_required(tmp_path, targets):
    text = "\n".join(",".join(str(c) for c in r) for r in [ROSTER_HEADER, *ROWS])
    path = tmp_path / "ds.csv"
    path.write_bytes(encode_cp1258(text))
    message = error_of(path, targets, encoding="utf-8")
    assert "không phải UTF-8" in message and "CSV UTF-8" in message


@pytest.mark.parametrize("name, content, words", [
    ("ds.xls", b"\xd0\xcf\x11\xe0", "Excel đời cũ"),
    ("ds.ods", b"x", "chỉ đọc được tệp .xlsx hoặc .csv"),
    ("ds.xlsx", b"not a zip file", "không mở được tệp Excel"),
])
def test_wrong_kind_of_file(tmp_path, targets, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    message = error_of(path, targets)
    assert str(path) in message and words in message


def test_missing_file(tmp_path, targets):
    assert "không tìm thấy" in error_of(tmp_path / "khong-co.csv", targets)


def test_excel_unicode_text_is_utf16_with_tabs(tmp_path, targets):
    path = tmp_path / "ds.txt"
    text = "\n".join("\t".join(str(c) for c in r) for r in [ROSTER_HEADER, *ROWS])
    path.write_bytes(text.encode("utf-16"))  # with its byte order mark, as Excel writes it
    frame = read_roster(path, targets).frame
    assert frame["name"].tolist() == ["Nguyễn Thị An", "Trần Văn Bình"]
