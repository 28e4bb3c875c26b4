#!/usr/bin/env bash
# Regenerate requirements.txt: every package the app and the tests install, pinned with == and sha256
# hashes (pip then installs in hash-checking mode). Inputs: requirements-runtime.txt (also the package's
# dependencies in pyproject.toml) and requirements-test.txt, both as floors.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v uv >/dev/null 2>&1 || pip install -q uv
uv pip compile requirements-runtime.txt requirements-test.txt --generate-hashes --universal \
  --python-version 3.11 --custom-compile-command "bash tools/lock_requirements.sh" -o requirements.txt
