// Static checks on what a template would run: patterns contracts may not use, and writes by
// executable BOM files to absolute paths the BOM does not declare. Heuristic by nature: they
// catch the common forms; review and signatures remain the real gate.

export interface Finding {
  readonly code: "PLB859" | "PLB860";
  readonly line: number;
  readonly message: string;
}

const FORBIDDEN: [RegExp, string][] = [
  [/\b(curl|wget|fetch)\b[^|\n]*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/, "download piped into a shell"],
  [
    /\b(ba|z|da|k)?sh\s+<\(\s*(curl|wget)\b/,
    "shell reading a download through process substitution",
  ],
  [/\b(source|\.)\s+<\(\s*(curl|wget)\b/, "sourcing a download"],
  [/(^|[;&|({\s])eval(\s|$)/, "eval"],
  [/\b(ba)?sh\s+-c\s+["']?[^"'\n]*\$/, "sh -c with an expansion (use argv, not a shell string)"],
];

const SAFE_PREFIXES = ["/dev/", "/tmp/", "/proc/", "/run/"];

/** Forbidden patterns in script text (executable BOM files). */
export function forbiddenInScript(text: string): Finding[] {
  const out: Finding[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/^\s*#.*$/, "");
    for (const [re, what] of FORBIDDEN) {
      if (re.test(line)) out.push({ code: "PLB859", line: i + 1, message: `forbidden: ${what}` });
    }
  });
  return out;
}

/** Forbidden forms in an argv (operations `run`, proofs `command`). */
export function forbiddenInArgv(argv: readonly string[]): string | undefined {
  const [cmd = "", ...rest] = argv;
  const base = cmd.split("/").pop() ?? cmd;
  if (["sh", "bash", "dash", "zsh", "ksh"].includes(base) && rest.includes("-c")) {
    return `${base} -c runs a shell string; give the command as argv instead`;
  }
  if (base === "eval") return "eval";
  return undefined;
}

/** Absolute paths an executable file writes with `>`, `>>`, tee, cp, mv, install, ln, rm. */
export function writesOutsideBom(text: string, bomPaths: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const patterns = [
    />>?\s*["']?(\/[^\s"';|&)]+)/g,
    /\b(?:tee|cp|mv|install|ln|rm|truncate|dd\s+of=)\s+(?:-\S+\s+)*(?:\S+\s+)*?["']?(\/[^\s"';|&)]+)["']?\s*(?:$|[;&|)])/g,
  ];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/^\s*#.*$/, "");
    for (const re of patterns) {
      for (const m of line.matchAll(re)) {
        const path = m[1] ?? "";
        if (
          bomPaths.has(path) ||
          SAFE_PREFIXES.some((p) => path.startsWith(p)) ||
          path === "/dev/null"
        )
          continue;
        out.push({
          code: "PLB860",
          line: i + 1,
          message: `writes ${path}, which is not in the bom`,
        });
      }
    }
  });
  return out;
}
