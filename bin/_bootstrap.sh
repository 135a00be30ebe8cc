# shellcheck shell=bash
# Shared set-up for bin/run, bin/test and .ci/run. Source it, then call `bootstrap`.
#
# On a fresh Debian 12 with only python3 (3.11) it brings in what the app needs:
#   - python3-venv, when `python3 -m venv` cannot work (Debian ships venv/ensurepip separately);
#   - libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk, for PDF reports (WeasyPrint);
#   - gettext (msgfmt), to compile the Chinese translations when locale/*.mo is missing or out of date;
#   - .venv with the pinned dependencies (constraints.txt), reinstalled only when constraints.txt,
#     pyproject.toml or the Python version change.
# As root it installs missing Debian packages itself; otherwise it prints the `sudo apt-get install`
# command and stops (venv) or warns (the rest). A second run with everything in place prints nothing.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

PDF_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk)

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf '\n!!! WARNING: %s\n\n' "$*" >&2; }
die() { printf '\n!!! ERROR: %s\n\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# deb_installed PACKAGE: true when dpkg has it fully installed (cheap: dpkg's own database, no apt).
deb_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

_APT_UPDATED=0

# apt_install WHY PACKAGE...: as root, install with apt-get (running `apt-get update` once per run).
# Returns non-zero when apt is locked (another apt or dpkg holds its lock for more than a minute),
# offline, or the packages cannot be installed; the caller decides whether that stops the run.
apt_install() {
    local why=$1
    shift
    say "Installing Debian packages: $* ($why)"
    local apt=(apt-get -q -o DPkg::Lock::Timeout=60)
    if [ "$_APT_UPDATED" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq || return 1
        _APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$@"
}

# ensure_debs required|optional WHY PACKAGE...: make sure the Debian packages are installed.
# Missing ones are installed when running as root. When they cannot be (not root, apt locked or
# offline), `required` stops with the command to run and `optional` warns and goes on. Does nothing
# on systems without dpkg (not Debian: the user's call).
ensure_debs() {
    local mode=$1 why=$2
    shift 2
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local missing=() pkg
    for pkg in "$@"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" = 0 ] && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        apt_install "$why" "${missing[@]}" && return 0
        local failed="apt-get could not install ${missing[*]} (apt locked by another process, offline, or the packages are unavailable)"
        [ "$mode" = required ] && die "$failed; needed for $why."
        warn "$failed. $why will not work; everything else does. Run bin/run or bin/test again later to retry."
        return 0
    fi
    local cmd="sudo apt-get install ${missing[*]}"
    if [ "$mode" = required ]; then
        die "Debian packages missing for $why. Run:

    $cmd

then run this command again."
    fi
    warn "Debian packages missing for $why; everything else works without them. To add them, run:

    $cmd"
}

ensure_python() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: install Python 3.11 (Debian 12: sudo apt-get install python3)."
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$("$PYTHON" -V 2>&1) is too old: the app needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)."
    # Debian's python3 has no ensurepip unless python3-venv is installed, so `python3 -m venv` fails.
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        ensure_debs required "Creating the virtualenv (python3 -m venv)" python3-venv
        "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1 \
            || die "$PYTHON -m venv still cannot work; install the venv module for $("$PYTHON" -V 2>&1)."
    fi
}

_deps_stamp() {
    cat "$ROOT/constraints.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1
    "$VENV/bin/python" -VV
}

ensure_venv() {
    if [ -d "$VENV" ] && ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
        say "The virtualenv in .venv is broken (its Python is gone?); recreating it"
        rm -rf "$VENV"
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtualenv in .venv"
        "$PYTHON" -m venv "$VENV" || die "$PYTHON -m venv $VENV failed."
    fi
    local stamp_file="$VENV/.aixin-deps" stamp
    stamp="$(_deps_stamp)"
    if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
        return 0
    fi
    say "Installing Python dependencies into .venv (pinned in constraints.txt; takes a minute the first time)"
    (cd "$ROOT" && "$VENV/bin/pip" install --disable-pip-version-check -q -c constraints.txt -e ".[dev]") \
        || die "pip install failed; see the messages above."
    printf '%s\n' "$stamp" >"$stamp_file"
}

# The Chinese UI comes from locale/<lang>/LC_MESSAGES/django.po compiled to django.mo. Compile when a
# .mo is missing or the .po files changed since the last compile here (hash kept in .venv).
ensure_messages() {
    local po_files=() po
    while IFS= read -r -d '' po; do
        po_files+=("$po")
    done < <(find "$ROOT" -path "$VENV" -prune -o -path "$ROOT/.git" -prune -o \
        -path '*/LC_MESSAGES/*.po' -type f -print0 | sort -z)
    [ "${#po_files[@]}" = 0 ] && return 0
    local stamp_file="$VENV/.aixin-messages" stamp missing=0
    stamp="$(cat "${po_files[@]}" | sha256sum | cut -d' ' -f1)"
    for po in "${po_files[@]}"; do
        [ -f "${po%.po}.mo" ] || missing=1
    done
    if [ "$missing" = 0 ] && [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
        return 0
    fi
    command -v msgfmt >/dev/null 2>&1 || ensure_debs optional "Compiling the Chinese translations (msgfmt)" gettext
    if ! command -v msgfmt >/dev/null 2>&1; then
        warn "msgfmt (Debian package gettext) is missing, so the translations are not compiled and the UI shows English."
        return 0
    fi
    say "Compiling translations (${#po_files[@]} .po file(s))"
    for po in "${po_files[@]}"; do
        msgfmt --check-format -o "${po%.po}.mo" "$po" || die "msgfmt failed on $po."
    done
    printf '%s\n' "$stamp" >"$stamp_file"
}

bootstrap() {
    ensure_python
    ensure_debs optional "PDF reports (WeasyPrint: Pango, HarfBuzz, a CJK font)" "${PDF_DEBS[@]}"
    ensure_venv
    ensure_messages
}
