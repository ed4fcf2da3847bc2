// Static checks on the declared executable assets of a template (the only files that run as
// code): patterns that run strings as code, assemble commands, raise privileges, or write files
// the BOM does not declare. Heuristic by nature — a line-level shell reading — so an executable
// asset also marks its template high risk; bounded step types are the real gate.

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
  [/(^|[^\w-])eval([^\w-]|$)/, "eval"],
  [/(^|[;&|({]\s*|\b(then|do|else|exec)\s+)(source|\.)\s+\S/, "source of a file (runs it as code)"],
  [/\b(ba|z|da|k|mk)?sh\s+(-\w*\s+)*-\w*c\b/, "a shell running a string (sh -c)"],
  [
    /\b(python[0-9.]*|perl|ruby|node|php|lua)\s+(-\w+\s+)*-[ceE]\b/,
    "an interpreter running a string",
  ],
  [/\bfind\b.*\s-(exec|execdir|ok|okdir)\b/, "find -exec runs commands"],
  [/(^|[|;&]\s*)xargs\b/, "xargs runs commands"],
  [
    /(^|[;&|({]\s*|\b(then|do|else)\s+)env\s+(-\S+\s+)*(\w+=\S*\s+)*\S/,
    "env used as an exec wrapper",
  ],
  [
    /(^|[;&|({]\s*|\b(then|do|else|exec|command)\s+)["']?(\$[{(A-Za-z_]|`)/,
    "a command name assembled from an expansion (assembled eval)",
  ],
  [
    /\bchmod\s+(-\S+\s+)*(0?[1-7][0-7]{3}\b|\S*[+=][rwxX]*[st])/,
    "chmod setting setuid, setgid or sticky bits",
  ],
  [/\b(sudo|su|doas|setpriv|runuser)\b\s/, "privilege change"],
];

const SAFE_PREFIXES = ["/tmp/", "/run/"];
const SAFE_TARGETS = new Set(["/dev/null", "/dev/stdout", "/dev/stderr"]);

function logicalLines(text: string): [number, string][] {
  return text.split("\n").map((raw, i) => [i + 1, raw.replace(/(^|\s)#.*$/, "$1")]);
}

/** Forbidden patterns in script text (executable BOM files). */
export function forbiddenInScript(text: string): Finding[] {
  const out: Finding[] = [];
  for (const [line, code] of logicalLines(text)) {
    for (const [re, what] of FORBIDDEN) {
      if (re.test(code)) out.push({ code: "PLB859", line, message: `forbidden: ${what}` });
    }
  }
  return out;
}

const unquote = (w: string) => w.replace(/^["']|["']$/g, "");

/** Commands that modify the files named by their arguments; `dest`: only the last one counts. */
const WRITERS: Record<string, { skipFirst?: boolean; dest?: boolean }> = {
  tee: {},
  cp: { dest: true },
  mv: { dest: true },
  install: { dest: true },
  ln: { dest: true },
  rsync: { dest: true },
  rm: {},
  rmdir: {},
  mkdir: {},
  truncate: {},
  touch: {},
  chmod: { skipFirst: true },
  chown: { skipFirst: true },
  chgrp: { skipFirst: true },
  sed: {},
};

/**
 * Writes by an executable file that the BOM does not declare: redirections, tee, cp, mv,
 * install, ln, rm, truncate, touch, chmod/chown, `sed -i`, `dd of=` — to an absolute path
 * outside the BOM, to a relative path, or to a path held in a variable.
 */
export function writesOutsideBom(text: string, bomPaths: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  const judge = (line: number, raw: string, how: string) => {
    const path = unquote(raw);
    if (bomPaths.has(path) || SAFE_TARGETS.has(path) || /^&\d$/.test(path)) return;
    if (
      path.startsWith("/") &&
      !path.includes("$") &&
      SAFE_PREFIXES.some((p) => path.startsWith(p))
    )
      return;
    const why =
      path.includes("$") || path.includes("`")
        ? `writes through a variable path (${path}) with ${how}`
        : `writes ${path}, which is not in the bom, with ${how}`;
    out.push({ code: "PLB860", line, message: why });
  };
  for (const [line, code] of logicalLines(text)) {
    for (const m of code.matchAll(/(?:\d|&)?>>?\|?\s*(&\d|"[^"]*"|'[^']*'|[^\s;&|)]+)/g))
      judge(line, m[1] ?? "", "a redirection");
    for (const m of code.matchAll(/\bof=("[^"]*"|'[^']*'|[^\s;&|)]+)/g))
      judge(line, m[1] ?? "", "dd of=");
    for (const part of code.split(/&&|\|\||[;|&]/)) {
      const words = part.trim().split(/\s+/).filter(Boolean);
      const cmd = words[0]?.split("/").pop() ?? "";
      const rule = WRITERS[cmd];
      if (!rule) continue;
      if (cmd === "sed" && !words.some((w) => /^(-i|--in-place)/.test(w) || /^-[a-zA-Z]*i/.test(w)))
        continue;
      let args = words.slice(1).filter((w) => !w.startsWith("-"));
      if (cmd === "sed") args = args.slice(1);
      if (rule.skipFirst) args = args.slice(1);
      if (rule.dest) args = args.slice(-1);
      for (const a of args) judge(line, a, cmd === "sed" ? "sed -i" : cmd);
    }
  }
  return out;
}
