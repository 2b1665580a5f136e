#!/usr/bin/env bash
# Prepare a fresh machine for Heard: .venv with the project installed, Apache Kafka's jars
# from Maven Central (cached under var/), Debian's Chromium for the portal's browser tests
# (skipped with HEARD_NO_BROWSER=1), Debian's Noto fonts for the dossier PDF (and poppler to
# read it back in tests), and, when asked (--postgres), Debian's PostgreSQL.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

want_postgres=false
for arg in "$@"; do
  case "$arg" in
    --postgres) want_postgres=true ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.heard-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  touch "$stamp"
fi

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && [ -z "${KAFKA_HOME:-}" ]; then
  .venv/bin/heard broker fetch
fi

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
# The portal's and consoles' browser tests drive Debian's Chromium (Playwright, no downloaded
# browser); HEARD_NO_BROWSER=1 skips it on a machine that only runs the system.
if [ -z "${HEARD_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The dossier PDF draws Arabic and Chinese with Debian's Noto fonts; its tests read the PDF back
# with poppler's pdftotext.
if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
  || [ ! -f /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf ] \
  || ! command -v pdftotext >/dev/null 2>&1; then
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    fonts-noto-core fonts-noto-cjk poppler-utils >/dev/null
fi

if $want_postgres && [ -z "${TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq postgresql >/dev/null
fi
