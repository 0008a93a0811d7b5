# Installs what Shardcast needs and is missing; sourced by ./shardcast and .ci/run.
# Idempotent and quick when everything is there already.

ensure_log() { echo "shardcast: $*" >&2; }

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

# Node >= 22.12 from the PATH, else Node 24 LTS brought by the project into .tools (the npm
# registry ships the binary as node-<os>-<arch>).
ensure_node() {
  local local_bin="$repo/.tools/node_modules/node-$(node_platform)/bin"
  if [ -x "$local_bin/node" ]; then export PATH="$local_bin:$PATH"; fi
  node_ok && return 0
  command -v npm >/dev/null 2>&1 || { ensure_log "npm is needed to fetch Node 24 (install Node.js and npm)"; exit 1; }
  ensure_log "Node $(node --version 2>/dev/null || echo none) is too old; installing Node 24 LTS into .tools"
  mkdir -p "$repo/.tools"
  npm install --prefix "$repo/.tools" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-$(node_platform)@24" >&2
  export PATH="$local_bin:$PATH"
  node_ok || { ensure_log "could not get Node >= 22.12"; exit 1; }
}

node_platform() {
  local os arch
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=linux ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=x64 ;; esac
  echo "$os-$arch"
}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    if [ -z "${SHARDCAST_APT_UPDATED:-}" ]; then apt-get update -qq >&2 && export SHARDCAST_APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
  else
    return 1
  fi
}

ensure_java() {
  if command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then return 0; fi
  ensure_log "Java 17+ is needed to run the Kafka broker; installing"
  apt_install openjdk-17-jre-headless || { ensure_log "install Java 17+ (e.g. apt-get install openjdk-17-jre-headless)"; exit 1; }
}

ensure_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  ensure_log "Maven is needed to fetch the Kafka broker jars; installing"
  apt_install maven || { ensure_log "install Maven (e.g. apt-get install maven)"; exit 1; }
}

# kcat is a Kafka client nobody here wrote: the tests use it to produce as an outsider would.
ensure_kcat() {
  command -v kcat >/dev/null 2>&1 && return 0
  apt_install kcat || ensure_log "kcat is not installed and could not be installed; tests that produce with it will fail"
}

# Only the benchmarks use wrk (bench/kv falls back to autocannon without it).
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  apt_install wrk || ensure_log "wrk is not installed and could not be installed; bench/kv uses autocannon instead"
}

ensure_deps() {
  local stamp="$repo/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$repo/package-lock.json" -nt "$stamp" ] || [ "$repo/package.json" -nt "$stamp" ]; then
    ensure_log "installing npm dependencies"
    # `npm ci` refuses a lock file that lacks other platforms' optional binaries, which a
    # registry mirror serving only this platform's leaves out; `npm install` then installs
    # the same locked versions.
    (cd "$repo" && { npm ci --no-audit --no-fund --loglevel=silent >&2 2>/dev/null ||
      npm install --no-audit --no-fund --loglevel=error >&2; })
  fi
}

ensure_kafka_jars() {
  if ! compgen -G "$repo/infra/kafka/lib/kafka_2.13-*.jar" >/dev/null; then ensure_maven; fi
  "$repo/infra/kafka/kafka.sh" fetch
}

ensure_build() {
  (cd "$repo" && node_modules/.bin/tsc -b tsconfig.build.json)
}

ensure_all() {
  ensure_node || return 1
  ensure_java || return 1
  ensure_kafka_jars || return 1
  ensure_kcat
  ensure_deps || return 1
  ensure_build || return 1
}
