#!/usr/bin/env bash
# Official-client conformance check: drives the custom-token flow through the official
# node-appwrite, appwrite (web SDK, under Node; once more browser-shaped, with an Origin header
# from a registered platform) and Python appwrite packages against an already running
# Appwrite-compatible server (normally appwrite-emulator).
#
#   APPWRITE_ENDPOINT=http://127.0.0.1:8080/v1 APPWRITE_PROJECT_ID=demo \
#   APPWRITE_API_KEY=dev-key conformance/run.sh
#
# Everything is installed into a temporary folder that is removed on exit.
set -euo pipefail

# Pinned on purpose: SDK method signatures and response formats change between majors.
NODE_APPWRITE_VERSION=27.1.0
WEB_APPWRITE_VERSION=28.0.0
PY_APPWRITE_VERSION=27.0.0

: "${APPWRITE_ENDPOINT:?set APPWRITE_ENDPOINT, e.g. http://127.0.0.1:8080/v1}"
: "${APPWRITE_PROJECT_ID:?set APPWRITE_PROJECT_ID, e.g. demo}"
: "${APPWRITE_API_KEY:?set APPWRITE_API_KEY, e.g. dev-key}"
export APPWRITE_ENDPOINT APPWRITE_PROJECT_ID APPWRITE_API_KEY
PYTHON=${PYTHON:-python3}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/appwrite-conformance.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Run an install command silently; show its output only if it fails.
quiet() {
  if ! "$@" >"$work/install.log" 2>&1; then
    echo "conformance: install failed: $*" >&2
    cat "$work/install.log" >&2
    exit 2
  fi
}

node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  echo "conformance: Node 20 or newer is required (found $(node --version))" >&2
  exit 2
fi

# ESM imports ignore NODE_PATH, so the scripts run from the temp dir, next to node_modules.
# The package.json also stops npm from installing into some parent folder.
cp "$here"/lib.mjs "$here"/node_check.mjs "$here"/web_check.mjs "$here"/browser_check.mjs \
  "$here"/python_check.py "$work"/
echo '{"private": true}' >"$work/package.json"
quiet npm install --prefix "$work" --no-audit --no-fund --no-update-notifier \
  "node-appwrite@$NODE_APPWRITE_VERSION" "appwrite@$WEB_APPWRITE_VERSION"

quiet "$PYTHON" -m venv "$work/venv"
quiet "$work/venv/bin/python" -m pip install --disable-pip-version-check --no-input \
  "appwrite==$PY_APPWRITE_VERSION"

echo "conformance: $APPWRITE_ENDPOINT project=$APPWRITE_PROJECT_ID (node $(node --version), $("$work/venv/bin/python" --version))"

# Run every client even if an earlier one fails, then report them all.
failed=()
(cd "$work" && node node_check.mjs) || failed+=("node-appwrite")
(cd "$work" && node web_check.mjs) || failed+=("appwrite (web)")
(cd "$work" && node browser_check.mjs) || failed+=("appwrite (web, browser-shaped)")
(cd "$work" && venv/bin/python python_check.py) || failed+=("appwrite (python)")

if (( ${#failed[@]} > 0 )); then
  echo "conformance: FAILED for: ${failed[*]}"
  exit 1
fi
echo "conformance: all 4 checks passed"
