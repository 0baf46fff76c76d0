# Hai lệnh cho người mới:  `make` (dựng sách, bài kiểm tra, báo cáo mẫu)  và  `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := all

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader's Gradebook runs `alembic`, so the venv's bin/ must be on PATH everywhere.
export PATH := $(BIN):$(PATH)
PYTHON := $(BIN)/python
PYTHON_SYSTEM ?= python3
STAMP := $(VENV)/.installed
# axe-core for the accessibility tests, pinned in package-lock.json (npm ci).
NODE_STAMP := node_modules/.package-lock.json

.PHONY: all install book quizzes demo-report test lint serve bench bench-autograde bench-grade bench-report clean \
	pdf bench-size system-packages bench-startup bench-make bench-online

all: book quizzes demo-report

$(STAMP): requirements.txt pyproject.toml
	test -x $(PYTHON) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(NODE_STAMP): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund

## Gói hệ thống cho bộ kiểm thử (Chromium, pdftotext, phông DejaVu, npm, LibreOffice, PostgreSQL):
## cài khi thiếu nếu có quyền root hoặc sudo không mật khẩu, nếu không thì dừng với lệnh cần chạy.
system-packages:
	bash .ci/system-packages.sh

## Dựng trang web của khóa học vào _build/html (cảnh báo bị coi là lỗi).
book: $(STAMP)
	$(BIN)/jupyter-book build . -n -W --keep-going

## Sinh các bài kiểm tra từ ngân hàng câu hỏi (quizzes/source) và bản phát cho học viên
## (quizzes/release, không chứa đáp án), bằng nbgrader generate_assignment.
quizzes: $(STAMP)
	$(BIN)/assessment quiz generate
	cd quizzes && for quiz in $$($(BIN)/assessment quiz list --ids --course-dir .); do \
	  $(BIN)/nbgrader generate_assignment "$$quiz" --force --log-level=WARN; done

## Chạy toàn bộ bộ kiểm thử.
test: system-packages $(STAMP) $(NODE_STAMP)
	$(PYTHON) -m pytest

lint: $(STAMP)
	$(BIN)/ruff check assessment tests book/_ext bench

## In tài liệu phát tay (PDF) của cả khóa học và của từng phần vào _build/pdf
## (cần trình duyệt Chromium; khoảng một phút).
pdf: book
	$(BIN)/assessment handouts

## Trang web và bài kiểm tra trực tuyến trên máy: http://localhost:8000 (dữ liệu: du-lieu-hoc-vien/)
serve: $(STAMP)
	$(BIN)/assessment serve --data du-lieu-hoc-vien --port 8000

## Đo thời gian dựng sách (lạnh và sau khi sửa một trang).
bench: $(STAMP)
	$(PYTHON) bench/bench_book.py

## Đo thời gian chấm tự động (giây/bài) của bài kiểm tra cuối khóa.
bench-autograde: $(STAMP)
	$(PYTHON) bench/bench_autograde.py

## So sánh thời gian chấm của assessment grade (không chạy mã) và nbgrader autograde; đo thời
## gian và bộ nhớ để chấm 20.000 bài nộp của bài kiểm tra cuối khóa (vài phút).
bench-grade: $(STAMP)
	$(PYTHON) bench/bench_grade.py

## Báo cáo thống kê mẫu (dữ liệu không có thật) vào reports/demo: danh sách 150 cán bộ,
## 20 bài làm mô phỏng (ba đợt thi, hai sổ điểm) chấm bằng assessment grade (không chạy mã).
demo-report: $(STAMP) quizzes
	$(PYTHON) -m assessment.demo --out reports/demo --data reports/demo-data

## Đo thời gian lập báo cáo cho 20.000 cán bộ, so với nbgrader export.
bench-report: $(STAMP)
	$(PYTHON) bench/bench_report.py

## Đo thời gian khởi động của lệnh `assessment` (--help của từng lệnh, các import chậm nhất).
bench-startup: $(STAMP)
	$(PYTHON) bench/bench_startup.py

## Đo thời gian của `make` (book, quizzes, demo-report) trên một bản sao, .venv đã cài.
bench-make: $(STAMP)
	$(PYTHON) bench/bench_make.py

## So sánh dung lượng tải một trang (lần đầu, lần sau) với sách mẫu `jupyter-book create`.
bench-size: $(STAMP)
	$(PYTHON) bench/bench_site_size.py

clean:
	rm -rf _build reports

## Đo dịch vụ trực tuyến: cán bộ mô phỏng (50/200/500 đồng thời) đăng nhập, làm bài 40 câu, nộp
## bài; 1/2/4 tiến trình, SQLite và PostgreSQL; so với trang sách tĩnh. Chỉ qua 127.0.0.1.
bench-online: $(STAMP)
	$(PYTHON) bench/bench_online.py
