#!/usr/bin/env bash
# A real Incus daemon for tests, CI and the example, on a Debian 12 machine as root, without
# systemd and offline except the machine's own Debian mirror. See docs/incus-sandbox.md.
#
#   scripts/incus-sandbox.sh up [--with-debian] [--with-ssh]
#                                                 install Incus 6.0 LTS if missing, start the daemon,
#                                                 create the `default` dir pool, build test images
#   scripts/incus-sandbox.sh status               what is there; exit 0 when ready, 1 otherwise
#   scripts/incus-sandbox.sh down                 stop the daemon this script started
#   scripts/incus-sandbox.sh site [--root DIR] [--bridge-addresses none|declared] [--debian]
#                                                 write DIR/.plumb/site.yml (default: this checkout)
#                                                 so every plumb command uses this sandbox
set -euo pipefail

readonly INCUSD=/usr/libexec/incus/incusd
readonly INCUS_VAR=/var/lib/incus
readonly SOCKET="$INCUS_VAR/unix.socket"
readonly LOG_FILE="${PLUMB_SANDBOX_LOG:-/var/log/plumb-incus-sandbox.log}"
readonly PID_FILE="${PLUMB_SANDBOX_PID:-/run/plumb-incus-sandbox.pid}"
readonly CACHE_DIR="${PLUMB_SANDBOX_CACHE:-/var/cache/plumb-incus-sandbox}"
readonly BACKPORTS_SOURCES=/etc/apt/sources.list.d/plumb-bookworm-backports.sources
readonly POOL=default
readonly BUSYBOX_ALIAS=plumb-busybox
readonly DEBIAN_ALIAS=plumb-debian
readonly DEBIAN_SSH_ALIAS=plumb-debian-ssh

log() { printf 'incus-sandbox: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
now() { date +%s.%N; }
# Seconds elapsed since $1 (a `now` value), one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

usage() {
  sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

require_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts incusd)"
}

os_codename() {
  # shellcheck disable=SC1091
  (. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
}

# The machine's own Debian mirror for suite $1, read from APT's configuration at run time:
# deb822 stanzas in /etc/apt/sources.list.d/*.sources (URIs:/Suites:), else one-line entries in
# /etc/apt/sources.list and *.list. Prints "URI<TAB>Signed-By" (Signed-By may be empty).
debian_mirror() {
  local suite="$1" files=() f
  for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && files+=("$f"); done
  if [ ${#files[@]} -gt 0 ]; then
    awk -v suite="$suite" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && enabled != "no" && uri != "" && !found) {
          printf "%s\t%s\n", uri, signed; found = 1
        }
        types = ""; suites = ""; uri = ""; signed = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[ \t]+/, ""); sub(/[ \t]+$/, "")
        if (key == "types") types = $0
        else if (key == "suites") suites = $0
        else if (key == "uris") { split($0, u, /[ \t]+/); uri = u[1] }
        else if (key == "signed-by") signed = $0
        else if (key == "enabled") enabled = tolower($0)
      }
      END { flush(); if (!found) exit 1 }
    ' "${files[@]}" && return 0
  fi
  files=()
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [ -f "$f" ] && files+=("$f"); done
  [ ${#files[@]} -gt 0 ] || return 1
  awk -v suite="$suite" '
    $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
      if ($(i + 1) == suite) { printf "%s\t\n", $i; found = 1; exit }
    }
    END { if (!found) exit 1 }
  ' "${files[@]}"
}

apt_has_suite() {
  grep -Eqs "(^|[[:space:]])$1([[:space:]]|\$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources
}

install_incus() {
  if [ -x "$INCUSD" ] && command -v incus >/dev/null 2>&1; then
    return 0
  fi
  local t0 codename mirror signed
  t0=$(now)
  codename=$(os_codename)
  export DEBIAN_FRONTEND=noninteractive
  case "$codename" in
    bookworm)
      if ! apt_has_suite bookworm-backports; then
        mirror=$(debian_mirror bookworm) ||
          die "no Debian mirror for bookworm found in /etc/apt/sources.list{,.d/*} to add bookworm-backports from"
        signed=${mirror#*$'\t'}
        mirror=${mirror%%$'\t'*}
        log "adding bookworm-backports from the configured mirror $mirror ($BACKPORTS_SOURCES)"
        {
          echo "# Added by plumbline scripts/incus-sandbox.sh: Incus 6.0 LTS comes from backports."
          echo "Types: deb"
          echo "URIs: $mirror"
          echo "Suites: bookworm-backports"
          echo "Components: main"
          echo "Signed-By: ${signed:-/usr/share/keyrings/debian-archive-keyring.gpg}"
        } >"$BACKPORTS_SOURCES"
      fi
      log "apt-get update"
      apt-get update -qq
      log "apt-get install -t bookworm-backports incus (Incus 6.0 LTS)"
      apt-get install -y -qq -t bookworm-backports incus >>"$LOG_FILE" 2>&1 ||
        die "apt-get install incus failed; see $LOG_FILE"
      ;;
    trixie)
      # Debian 13 ships Incus 6.0 LTS in main.
      apt-get update -qq
      apt-get install -y -qq incus >>"$LOG_FILE" 2>&1 || die "apt-get install incus failed; see $LOG_FILE"
      ;;
    *) die "unsupported system '${codename:-unknown}': this script installs Incus on Debian 12 (bookworm) or 13" ;;
  esac
  [ -x "$INCUSD" ] || die "incus installed but $INCUSD is missing"
  log "installed $(dpkg-query -W -f='incus ${Version}' incus) in $(since "$t0") s"
}

daemon_ready() {
  [ -S "$SOCKET" ] && timeout 10 incus query /1.0 >/dev/null 2>&1
}

our_pid() {
  local pid state
  [ -f "$PID_FILE" ] || return 1
  pid=$(cat "$PID_FILE")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = incusd ] || return 1
  # A killed daemon whose parent is gone may linger as a zombie until reaped: not running.
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ] && printf '%s' "$pid"
}

# Stops daemon $1 (TERM, then KILL after 10 s).
kill_daemon() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 0
    [ "$i" = 100 ] && kill -KILL "$pid" 2>/dev/null
    sleep 0.1
  done
}

start_daemon() {
  if daemon_ready; then
    log "daemon already up"
    return 0
  fi
  local t0 pid
  t0=$(now)
  if pid=$(our_pid); then
    log "incusd (pid $pid) is running but not answering; waiting up to 20 s"
    if incus admin waitready --timeout 20 >/dev/null 2>&1; then
      log "daemon ready in $(since "$t0") s"
      return 0
    fi
    log "incusd (pid $pid) still not answering; restarting it"
    kill_daemon "$pid"
  fi
  # What the packaged systemd unit gives incusd: /etc/default/incus (PATH) and a high fd limit.
  export PATH="/usr/libexec/incus:$PATH"
  # shellcheck disable=SC1091
  [ -f /etc/default/incus ] && set -a && . /etc/default/incus && set +a
  ulimit -n 1048576 2>/dev/null || true
  mkdir -p "$(dirname "$LOG_FILE")" "$(dirname "$PID_FILE")"
  log "starting $INCUSD --group root (log: $LOG_FILE)"
  # setsid + closed fds: the daemon must not hold the caller's terminal or output pipes.
  setsid "$INCUSD" --group root </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  echo "$pid" >"$PID_FILE"
  if ! incus admin waitready --timeout 60 >/dev/null 2>&1; then
    tail -n 20 "$LOG_FILE" >&2 || true
    die "incusd did not become ready within 60 s (log: $LOG_FILE)"
  fi
  log "daemon ready in $(since "$t0") s"
}

ensure_pool_and_profile() {
  if ! incus storage show "$POOL" >/dev/null 2>&1; then
    log "creating storage pool '$POOL' (dir)"
    incus storage create "$POOL" dir >/dev/null
  fi
  if ! incus profile device get default root pool >/dev/null 2>&1; then
    log "adding a root disk on pool '$POOL' to the default profile"
    incus profile device add default root disk path=/ pool="$POOL" >/dev/null
  fi
}

WORK_DIRS=()
cleanup() { [ ${#WORK_DIRS[@]} -eq 0 ] || rm -rf "${WORK_DIRS[@]}"; }
trap cleanup EXIT
# A temporary directory removed when the script exits. Call as `make_work_dir; work=$REPLY`.
make_work_dir() {
  REPLY=$(mktemp -d /tmp/plumb-incus-sandbox.XXXXXX)
  WORK_DIRS+=("$REPLY")
}

image_present() {
  incus image alias list --format csv 2>/dev/null | cut -d, -f1 | grep -qx "$1"
}

# Fetch the .deb of package $1 from the configured mirror into the current directory, without
# installing it (busybox-static conflicts with busybox, so the system stays untouched).
download_deb() {
  apt-get download -qq "$1" 2>/dev/null || {
    apt-get update -qq
    apt-get download -qq "$1"
  }
}

# The init both images get: PID 1 that sleeps, and exits on the signals `incus stop` sends
# (SIGPWR for containers), so a clean stop takes milliseconds instead of the stop timeout.
write_sleep_init() {
  mkdir -p "$1/sbin"
  cat >"$1/sbin/init" <<'EOF'
#!/bin/sh
trap 'exit 0' PWR TERM INT HUP
while :; do sleep 3600 & wait $!; done
EOF
  chmod 0755 "$1/sbin/init"
}

# metadata.yaml for image directory $1: description $2, os $3, release $4.
write_metadata() {
  cat >"$1/metadata.yaml" <<EOF
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  description: $2
  os: $3
  release: "$4"
  plumb.sandbox: "true"
EOF
}

# Import tarball $1 under alias $2, replacing a stale image with the same alias.
import_image() {
  log "importing $1 as $2"
  incus image import "$1" --alias "$2" >/dev/null
}

build_busybox_image() {
  if image_present "$BUSYBOX_ALIAS"; then
    log "image $BUSYBOX_ALIAS present"
    return 0
  fi
  local t0 work bb applet
  t0=$(now)
  make_work_dir
  work=$REPLY
  log "building $BUSYBOX_ALIAS from Debian's busybox-static"
  (cd "$work" && download_deb busybox-static) || die "cannot download busybox-static from the Debian mirror"
  dpkg-deb -x "$work"/busybox-static_*.deb "$work/deb"
  bb="$work/deb/bin/busybox"
  [ -x "$bb" ] || die "busybox-static did not contain /bin/busybox"
  local root="$work/image/rootfs"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,tmp,run,root,var/log}
  chmod 1777 "$root/tmp"
  install -m 0755 "$bb" "$root/bin/busybox"
  while IFS= read -r applet; do
    [ -n "$applet" ] && [ ! -e "$root/$applet" ] && ln -s /bin/busybox "$root/$applet"
  done < <("$bb" --list-full)
  rm -f "$root/sbin/init"
  write_sleep_init "$root"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  write_metadata "$work/image" "plumbline test image (busybox-static)" busybox "$(dpkg-deb -f "$work"/busybox-static_*.deb Version)"
  tar --numeric-owner --owner=0 --group=0 -C "$work/image" -czf "$work/busybox.tar.gz" metadata.yaml rootfs
  import_image "$work/busybox.tar.gz" "$BUSYBOX_ALIAS"
  log "image $BUSYBOX_ALIAS built and imported in $(since "$t0") s"
}

build_debian_image() {
  if image_present "$DEBIAN_ALIAS"; then
    log "image $DEBIAN_ALIAS present"
    return 0
  fi
  local t0 tarball="$CACHE_DIR/debian-bookworm-minbase.tar.gz" mirror work
  t0=$(now)
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      log "apt-get install debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >>"$LOG_FILE" 2>&1
    }
    mirror=$(debian_mirror bookworm) || die "no Debian mirror for bookworm found in APT's sources"
    mirror=${mirror%%$'\t'*}
    make_work_dir
    work=$REPLY
    log "debootstrap --variant=minbase --include=openssh-client bookworm from $mirror (about 35 s)"
    debootstrap --variant=minbase --include=openssh-client bookworm "$work/image/rootfs" "$mirror" \
      >>"$LOG_FILE" 2>&1 || die "debootstrap failed; see $LOG_FILE"
    rm -rf "$work/image/rootfs/var/cache/apt/archives/"*.deb "$work/image/rootfs/var/lib/apt/lists/"*
    write_sleep_init "$work/image/rootfs"
    write_metadata "$work/image" "plumbline test image (Debian bookworm minbase + openssh-client)" debian 12
    mkdir -p "$CACHE_DIR"
    tar --numeric-owner -C "$work/image" -czf "$tarball.tmp" metadata.yaml rootfs
    mv "$tarball.tmp" "$tarball"
  fi
  import_image "$tarball" "$DEBIAN_ALIAS"
  log "image $DEBIAN_ALIAS ready in $(since "$t0") s"
}

# The ssh server target image: Debian's real openssh-server (and iproute2, so a test can give the
# container an address on its own isolated bridge; there is no DHCP client). The image carries no
# host keys: each container makes its own at first start, so two containers never share one.
# /sbin/init creates them, starts sshd (log /var/log/sshd.log), then sleeps like the others.
build_debian_ssh_image() {
  if image_present "$DEBIAN_SSH_ALIAS"; then
    log "image $DEBIAN_SSH_ALIAS present"
    return 0
  fi
  local t0 tarball="$CACHE_DIR/debian-bookworm-minbase-ssh.tar.gz" mirror work root
  t0=$(now)
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      log "apt-get install debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >>"$LOG_FILE" 2>&1
    }
    mirror=$(debian_mirror bookworm) || die "no Debian mirror for bookworm found in APT's sources"
    mirror=${mirror%%$'\t'*}
    make_work_dir
    work=$REPLY
    root="$work/image/rootfs"
    log "debootstrap --variant=minbase --include=openssh-server,iproute2 bookworm from $mirror"
    debootstrap --variant=minbase --include=openssh-server,iproute2 bookworm "$root" "$mirror" \
      >>"$LOG_FILE" 2>&1 || die "debootstrap failed; see $LOG_FILE"
    rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
    rm -f "$root"/etc/ssh/ssh_host_*
    mkdir -p "$root/sbin"
    rm -f "$root/sbin/init"
    cat >"$root/sbin/init" <<'INIT'
#!/bin/sh
trap 'exit 0' PWR TERM INT HUP
[ -s /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -A >/dev/null 2>&1
mkdir -p -m 0755 /run/sshd
/usr/sbin/sshd -E /var/log/sshd.log
while :; do sleep 3600 & wait $!; done
INIT
    chmod 0755 "$root/sbin/init"
    write_metadata "$work/image" "plumbline test image (Debian bookworm minbase + openssh-server)" debian 12
    mkdir -p "$CACHE_DIR"
    tar --numeric-owner -C "$work/image" -czf "$tarball.tmp" metadata.yaml rootfs
    mv "$tarball.tmp" "$tarball"
  fi
  import_image "$tarball" "$DEBIAN_SSH_ALIAS"
  log "image $DEBIAN_SSH_ALIAS ready in $(since "$t0") s"
}

cmd_up() {
  local with_debian=0 with_ssh=0 t0
  for arg in "$@"; do
    case "$arg" in
      --with-debian) with_debian=1 ;;
      --with-ssh) with_ssh=1 ;;
      *) usage ;;
    esac
  done
  require_root
  t0=$(now)
  install_incus
  start_daemon
  ensure_pool_and_profile
  build_busybox_image
  [ "$with_debian" = 1 ] && build_debian_image
  [ "$with_ssh" = 1 ] && build_debian_ssh_image
  log "up in $(since "$t0") s: incus $(incus version 2>/dev/null | sed -n 's/^Server version: //p'), socket $SOCKET"
}

cmd_status() {
  local ok=0 pid
  if pid=$(our_pid); then
    echo "daemon:   started by this script (pid $pid, log $LOG_FILE)"
  elif pgrep -x incusd >/dev/null 2>&1; then
    echo "daemon:   incusd running, not started by this script"
  else
    echo "daemon:   not running"
    ok=1
  fi
  if command -v incus >/dev/null 2>&1 && daemon_ready; then
    echo "api:      up ($SOCKET)"
    echo "version:  $(incus version | sed -n 's/^Server version: //p')"
    if incus storage show "$POOL" >/dev/null 2>&1; then
      echo "pool:     $POOL ($(incus storage get "$POOL" source 2>/dev/null || echo dir))"
    else
      echo "pool:     missing"
      ok=1
    fi
    echo "images:"
    incus image list --format csv --columns lfs 2>/dev/null | sed 's/^/  /; s/,/  /g'
    image_present "$BUSYBOX_ALIAS" || {
      echo "  ($BUSYBOX_ALIAS missing)"
      ok=1
    }
  else
    command -v incus >/dev/null 2>&1 && echo "api:      not answering on $SOCKET" || echo "api:      incus is not installed"
    ok=1
  fi
  return "$ok"
}

cmd_down() {
  require_root
  local pid
  if ! pid=$(our_pid); then
    if pgrep -x incusd >/dev/null 2>&1; then
      log "incusd is running but was not started by this script; leaving it alone"
    else
      log "daemon not running"
    fi
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping incusd (pid $pid): instances are shut down first"
  # `admin shutdown` stops the instances cleanly, then the daemon exits.
  timeout 90 incus admin shutdown --timeout 60 >/dev/null 2>&1 || true
  kill_daemon "$pid"
  rm -f "$PID_FILE"
  log "daemon stopped (packages left installed)"
}

# The site settings every plumb command of checkout $root reads (docs/reconcile.md "Site
# settings"): this sandbox's socket, the example's network image mapped to the local busybox
# image (no image server here), and the bridge mode. Written atomically (temp file + mv).
cmd_site() {
  local root bridges=none image=$BUSYBOX_ALIAS
  root="$(cd "$(dirname "$0")/.." && pwd)"
  while [ $# -gt 0 ]; do
    case "$1" in
      --root)
        [ $# -ge 2 ] || usage
        root="$2"
        shift 2
        ;;
      --bridge-addresses)
        [ $# -ge 2 ] || usage
        bridges="$2"
        shift 2
        ;;
      --debian)
        # Contract targets need bash, flock and ssh-keygen (plumb-verify): the Debian test image.
        image=$DEBIAN_ALIAS
        shift
        ;;
      *) usage ;;
    esac
  done
  case "$bridges" in
    none | declared) ;;
    *) die "--bridge-addresses must be none or declared (got '$bridges')" ;;
  esac
  [ -d "$root" ] || die "no such directory: $root"
  local dir="$root/.plumb" file tmp
  file="$dir/site.yml"
  mkdir -p "$dir"
  tmp=$(mktemp "$dir/.site.yml.XXXXXX")
  {
    echo "# Site settings of this machine, written by scripts/incus-sandbox.sh site on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
    echo "# Per machine (.plumb/ is git-ignored); every plumb command reads it and every plan shows it."
    echo "incus:"
    echo "  socket: $SOCKET"
    echo "image_map:"
    echo "  images:debian/13: $image"
    echo "bridge_addresses: $bridges"
    echo "storage_pool: $POOL"
  } >"$tmp"
  mv -f "$tmp" "$file"
  log "wrote $file (socket $SOCKET, images:debian/13 → $image, bridge addresses $bridges)"
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    site) cmd_site "$@" ;;
    *) usage ;;
  esac
}

main "$@"
