// The fixed Bash helpers every compiled contract carries. No template data appears here; data
// is passed to these functions as shq()-quoted arguments by compile-bash.ts.
// `$\{` stands for `${` (String.raw would otherwise interpolate).
// Functions are defined inside main() so bash parses the whole script before running any of it.
export const RUNTIME =
  String.raw`  log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
  result() {
    reported=1
    printf 'PLUMB-RESULT {"contract":"%s","status":"%s","phase":"%s","step":%d}\n' "$contract_id" "$1" "$phase" "$step"
  }
  fail() {
    log "FAILED [$phase step $step]: $*"
    result failed
    exit 1
  }
  on_exit() {
    local rc=$1
    if [ "$reported" -eq 0 ]; then
      log "FAILED [$phase step $step]: exit status $rc"
      result failed
    fi
  }

  gate_os_family() {
    local id="" like="" line want
    [ -r /etc/os-release ] || return 1
    while IFS= read -r line; do
      case $line in
        ID=*) id=$\{line#ID=} ;;
        ID_LIKE=*) like=$\{line#ID_LIKE=} ;;
      esac
    done < /etc/os-release
    id=$\{id//\"/}
    like=$\{like//\"/}
    for want in "$@"; do
      case " $id $like " in *" $want "*) return 0 ;; esac
    done
    return 1
  }
  port_listening() {
    local hex f _sl addr _rem st _rest
    hex=$(printf '%04X' "$1")
    for f in /proc/net/tcp /proc/net/tcp6; do
      [ -r "$f" ] || continue
      while read -r _sl addr _rem st _rest; do
        if [ "$st" = 0A ] && [ "$\{addr##*:}" = "$hex" ]; then return 0; fi
      done < "$f"
    done
    return 1
  }

  file_sha256() { sha256sum -- "$1" | cut -d ' ' -f 1; }
  # bom_write <path> <mode> <owner> <group> <sha256> <content>: atomic (temp file + rename),
  # checksum-verified before it replaces anything; unchanged files are left alone.
  bom_write() {
    local path="$dest$1" mode=$2 owner=$3 group=$4 sum=$5 content=$6 dir tmp
    if [ -f "$path" ] && [ "$(file_sha256 "$path")" = "$sum" ]; then
      chmod -- "$mode" "$path"
      log "unchanged $1"
      return 0
    fi
    dir=$(dirname -- "$path")
    mkdir -p -- "$dir"
    tmp=$(mktemp -- "$dir/.plumb.XXXXXX")
    printf '%s' "$content" > "$tmp"
    if [ "$(file_sha256 "$tmp")" != "$sum" ]; then
      rm -f -- "$tmp"
      fail "checksum mismatch while writing $1"
    fi
    chmod -- "$mode" "$tmp"
    if [ -z "$dest" ]; then chown -- "$owner:$group" "$tmp"; fi
    mv -f -- "$tmp" "$path"
    log "wrote $1"
  }
  bom_verify() {
    [ -f "$dest$1" ] && [ "$(file_sha256 "$dest$1")" = "$2" ]
  }

  apt_install() {
    local missing=() p
    for p in "$@"; do
      dpkg-query -W -f='$\{Status}' -- "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ "$\{#missing[@]}" -eq 0 ]; then log "packages present: $*"; return 0; fi
    log "apt-get install $\{missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -- "$\{missing[@]}"
  }
  service_do() {
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl "$2" -- "$1"
    elif [ "$2" = enable ]; then
      update-rc.d "$1" defaults
    else
      service "$1" "$2"
    fi
  }
  service_active() {
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl is-active --quiet -- "$1"
    else
      service "$1" status >/dev/null 2>&1
    fi
  }
  stdout_contains() {
    local want=$1 out
    shift
    out=$("$@") || return 1
    [[ $out == *"$want"* ]]
  }
`.replaceAll("$\\{", "${");
