#!/usr/bin/env bash
# System (Debian) packages the test suite needs, checked in one place before any test runs.
# Called by `make test` (and so by .ci/run). Present: silent, exit 0. Missing: installed with
# apt-get when we are root or have passwordless sudo; otherwise ONE Vietnamese message with the
# exact command to run, exit 1, within a second.
#
#   CHROMIUM_PATH    the browser the tests and `assessment handouts` use (default /usr/bin/chromium)
#   PG_BIN           PostgreSQL's server programs (default: the newest /usr/lib/postgresql/*/bin,
#                    as tests/pg.py)
#   NO_APT_INSTALL=1 never install, only check and explain (used by tests/test_system_packages.py)
set -uo pipefail

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
newest_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
pg_bin="${PG_BIN:-$(newest_pg_bin)}"
fonts=/usr/share/fonts/truetype/dejavu

# package → why it is needed; filled by check().
missing=()
reasons=()

check() {
  missing=()
  reasons=()
  [[ -x "$chromium" ]] || { missing+=(chromium); reasons+=("trình duyệt Chromium: không thấy $chromium"); }
  command -v pdftotext >/dev/null || { missing+=(poppler-utils); reasons+=("pdftotext"); }
  [[ -f "$fonts/DejaVuSans.ttf" && -f "$fonts/DejaVuSerif.ttf" ]] \
    || { missing+=(fonts-dejavu-core); reasons+=("phông chữ DejaVu"); }
  # LibreOffice shows the report workbook's Arial in Liberation Sans (same metrics).
  [[ -f /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ]] \
    || { missing+=(fonts-liberation); reasons+=("phông chữ Liberation"); }
  command -v node >/dev/null || { missing+=(nodejs); reasons+=("node"); }
  command -v npm >/dev/null || { missing+=(npm); reasons+=("npm"); }
  command -v soffice >/dev/null || { missing+=(libreoffice-calc-nogui); reasons+=("LibreOffice Calc: soffice"); }
  [[ -z "${PG_BIN:-}" ]] && pg_bin=$(newest_pg_bin)
  [[ -x "$pg_bin/pg_ctl" ]] || { missing+=(postgresql); reasons+=("PostgreSQL: không thấy $pg_bin/pg_ctl"); }
}

check
((${#missing[@]} == 0)) && exit 0

if [[ "${NO_APT_INSTALL:-}" != 1 ]] && command -v apt-get >/dev/null; then
  if [[ "$(id -u)" == 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
  if [[ "${as_root[*]}" != none ]]; then
    echo "Cài các gói hệ thống còn thiếu: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -q >&2 \
      && "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    check
    ((${#missing[@]} == 0)) && exit 0
  fi
fi

joined=$(IFS=';'; echo "${reasons[*]}" | sed 's/;/; /g')
hint=""
[[ " ${missing[*]} " == *" chromium "* ]] \
  && hint=" (Nếu Chromium đã cài ở chỗ khác, đặt CHROMIUM_PATH=<đường dẫn tới chromium>.)"
echo "Lỗi: thiếu gói hệ thống mà bộ kiểm thử cần (${joined}). Hãy chạy:" \
  "sudo apt-get update && sudo apt-get install -y ${missing[*]}" \
  "rồi chạy lại make test.${hint}" >&2
exit 1
