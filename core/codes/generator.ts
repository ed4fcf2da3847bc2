// plumb generate (PLB6xx).
import type { CodeInfo } from "./code-info.js";

export const GENERATOR_CODES = {
  // PLB6xx — generator (plumb generate)
  PLB601: {
    title: "no managed section",
    help: "An existing generated file (inventory/, group_vars/, host_vars/) has no `# === MANAGED BY infra.yml ===` … `# === END MANAGED ===` section, so plumb cannot tell its lines from yours and refuses to touch it. Add the two marker lines where the generated variables should go, or move the file away to have it created afresh.",
  },
  PLB602: {
    title: "duplicated managed-section marker",
    help: "A generated file has more than one BEGIN or END marker. Keep exactly one managed section per file (delete the copy), then run `plumb generate` again.",
  },
  PLB603: {
    title: "managed-section markers out of order",
    help: "A generated file has an END marker without a BEGIN before it, or a BEGIN that is never closed. Restore the marker lines (BEGIN, generated lines, END) or delete the file to regenerate it.",
  },
  PLB604: {
    title: "managed section edited by hand",
    help: "The text inside a managed section no longer matches the hash plumb recorded when it wrote it (`# plumb: sha256=…`). Move your variables below `# === END MANAGED ===`, where they are kept, or run `plumb generate --force` to overwrite the section.",
  },
  PLB605: {
    title: "generated files out of date",
    help: "`plumb generate --check` found files that `plumb generate` would create, change or prune (the diff is printed). Run `plumb generate` (and `--prune` for orphans) and commit the result.",
  },
  PLB606: {
    title: "orphaned generated file",
    help: "A generated file belongs to a domain or machine that is no longer declared. `plumb generate --prune` deletes it after confirmation; files saying `ephemeral: false` are protected and must be removed by hand.",
  },
  PLB607: {
    title: "confirmation needed",
    help: "`--prune` deletes files and asks first; without a terminal it cannot ask. Pass `--yes` in scripts and CI.",
  },
  PLB608: {
    title: "cannot read or write a generated file",
    help: "A file or folder of the generated tree could not be read or written (permissions, a folder where a file is expected, invalid UTF-8, a full disk, …). Nothing is half-written: each file is replaced atomically.",
  },
} as const satisfies Record<string, CodeInfo>;
