# Sourced by scripts/serve and scripts/test: a virtual environment in .venv with introchain
# installed in it, made with the python3 on PATH. Debian and Ubuntu mark their python3
# "externally managed" (PEP 668), so pip may not install into it; a venv is the way, and a
# stock system lacks the python3-venv package that makes one.

# Install Debian packages (only as root; otherwise say which command to run).
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "$SCRIPT: please install $* first: sudo apt-get install -y $*" >&2
    return 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ensure_venv EXTRAS: make .venv when it is missing or broken, and install introchain
# (editable, with EXTRAS such as "[test]") when pyproject.toml or EXTRAS changed since.
ensure_venv() {
  local extras="${1:-}"
  if ! command -v python3 >/dev/null 2>&1; then
    echo "$SCRIPT: python3 not found; install Python 3.10.2 or later (sudo apt-get install -y python3)" >&2
    return 1
  fi
  if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    echo "$SCRIPT: making a virtual environment in .venv"
    # Over a half-made .venv (an earlier attempt) this completes it; without python3-venv it
    # fails for want of ensurepip, and that package is the fix.
    if ! python3 -m venv .venv >/dev/null 2>&1; then
      echo "$SCRIPT: installing python3-venv, which making a virtual environment needs"
      apt_install python3-venv || return 1
      python3 -m venv .venv
    fi
  fi
  local stamp=".venv/.introchain-installed"
  local wanted
  wanted="$(cat pyproject.toml; echo "extras=$extras")"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "$SCRIPT: installing introchain$extras into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$extras"
    printf '%s' "$wanted" > "$stamp"
  fi
}
