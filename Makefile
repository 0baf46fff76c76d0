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

.PHONY: all install book test lint serve bench clean

all: book

$(STAMP): requirements.txt pyproject.toml
	test -x $(PYTHON) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Dựng trang web của khóa học vào _build/html (cảnh báo bị coi là lỗi).
book: $(STAMP)
	$(BIN)/jupyter-book build . -n -W --keep-going

## Chạy toàn bộ bộ kiểm thử.
test: $(STAMP)
	$(PYTHON) -m pytest

lint: $(STAMP)
	$(BIN)/ruff check assessment tests book/_ext bench

## Xem trang web trên máy: http://localhost:8000
serve:
	$(PYTHON_SYSTEM) -m http.server --directory _build/html 8000

## Đo thời gian dựng sách (lạnh và sau khi sửa một trang).
bench: $(STAMP)
	$(PYTHON) bench/bench_book.py

clean:
	rm -rf _build reports
