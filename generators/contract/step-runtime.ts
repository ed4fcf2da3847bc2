// Bash helpers for the bounded step types (step-emitters.ts calls them): writes that never
// follow symbolic links, directories without setuid/setgid, symlinks that replace only links,
// executable assets run only after their checksum is verified. No template data appears here;
// data arrives as shq()-quoted arguments. `$\{` stands for `${` (see bash-runtime.ts).
export const STEP_RUNTIME =
  String.raw`  # safe_dir <dir>: creates each missing component (0755) under $dest, refusing any existing
  # component that is a symbolic link or not a directory, so no write follows a link.
  safe_dir() {
    local cur=$dest part parts=()
    IFS=/ read -r -a parts <<< "$\{1#/}"
    for part in "$\{parts[@]}"; do
      [ -n "$part" ] || continue
      cur=$cur/$part
      if [ -L "$cur" ]; then fail "refusing to follow the symbolic link $\{cur#"$dest"}"; fi
      if [ ! -e "$cur" ]; then
        mkdir -m 0755 -- "$cur"
      elif [ ! -d "$cur" ]; then
        fail "$\{cur#"$dest"} is not a directory"
      fi
    done
  }
  # bom_put <path> <mode> <owner> <group> <sha256> <content>: atomic (temp file + rename -T),
  # checksum-verified before it replaces anything, never through or over a symbolic link.
  bom_put() {
    local rel=$1 path="$dest$1" mode=$2 owner=$3 group=$4 sum=$5 content=$6 tmp
    safe_dir "$(dirname -- "$rel")"
    if [ -L "$path" ]; then fail "refusing to replace the symbolic link $rel"; fi
    if [ -e "$path" ] && [ ! -f "$path" ]; then fail "$rel exists and is not a regular file"; fi
    if [ -f "$path" ] && [ "$(file_sha256 "$path")" = "$sum" ]; then
      chmod -- "$mode" "$path"
      log "unchanged $rel"
      return 0
    fi
    tmp=$(mktemp -- "$(dirname -- "$path")/.plumb.XXXXXX")
    printf '%s' "$content" > "$tmp"
    if [ "$(file_sha256 "$tmp")" != "$sum" ]; then
      rm -f -- "$tmp"
      fail "checksum mismatch while writing $rel"
    fi
    chmod -- "$mode" "$tmp"
    if [ -z "$dest" ]; then chown -- "$owner:$group" "$tmp"; fi
    mv -fT -- "$tmp" "$path"
    log "wrote $rel"
  }
  bom_check() {
    [ -f "$dest$1" ] && [ ! -L "$dest$1" ] && [ "$(file_sha256 "$dest$1")" = "$2" ]
  }
  # dir_ensure <path> <mode> <owner> <group>
  dir_ensure() {
    local rel=$1 path="$dest$1"
    safe_dir "$(dirname -- "$rel")"
    if [ -L "$path" ]; then fail "refusing to follow the symbolic link $rel"; fi
    if [ ! -e "$path" ]; then
      mkdir -m "$2" -- "$path"
    elif [ ! -d "$path" ]; then
      fail "$rel exists and is not a directory"
    fi
    chmod -- "$2" "$path"
    if [ -z "$dest" ]; then chown -- "$3:$4" "$path"; fi
  }
  # link_ensure <target> <link>: replaces a symbolic link, never a file or a directory.
  link_ensure() {
    local rel=$2 path="$dest$2"
    safe_dir "$(dirname -- "$rel")"
    if [ -e "$path" ] && [ ! -L "$path" ]; then fail "$rel exists and is not a symbolic link"; fi
    ln -sfnT -- "$1" "$path"
  }
  # asset_exec <path> <sha256> [args…]: runs a declared executable asset only if it is still
  # exactly the deployed file.
  asset_exec() {
    local rel=$1 path="$dest$1" sum=$2
    shift 2
    if [ -L "$path" ] || [ ! -f "$path" ] || [ "$(file_sha256 "$path")" != "$sum" ]; then
      fail "executable asset $rel is not the deployed file"
    fi
    "$path" "$@"
  }
`.replaceAll("$\\{", "${");
