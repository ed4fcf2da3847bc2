// Renders diagnostics like a compiler (human), as a versioned JSON document, or as GitHub
// Actions workflow commands (`::error file=…,line=…,col=…::`).
import type { Diagnostic } from "../../core/diagnostics.js";
import { countBySeverity, formatPath } from "../../core/diagnostics.js";
import type { Styler } from "../../core/output/output.js";

export type LineSource = (file: string, line: number) => string | undefined;

export function renderHuman(d: Diagnostic, lineOf: LineSource, s: Styler): string {
  const head =
    d.severity === "error"
      ? s.red(s.bold(`error[${d.code}]`))
      : d.severity === "warning"
        ? s.yellow(s.bold(`warning[${d.code}]`))
        : s.cyan(s.bold(`note[${d.code}]`));
  const lines = [`${head}${s.bold(`: ${d.message}`)}`];
  const loc = d.location;
  if (loc) {
    const text = lineOf(loc.file, loc.line);
    const gutter = " ".repeat(String(loc.line).length);
    lines.push(`${gutter}${s.cyan("-->")} ${loc.file}:${loc.line}:${loc.column}`);
    if (text !== undefined) {
      const shown = text.replace(/\t/g, " ");
      const underline = (
        d.severity === "error" ? s.red : d.severity === "warning" ? s.yellow : s.cyan
      )("^".repeat(Math.max(1, Math.min(loc.length ?? 1, shown.length - loc.column + 1 || 1))));
      lines.push(`${gutter} ${s.cyan("|")}`);
      lines.push(`${s.cyan(String(loc.line))} ${s.cyan("|")} ${shown}`);
      lines.push(`${gutter} ${s.cyan("|")} ${" ".repeat(Math.max(0, loc.column - 1))}${underline}`);
    }
    if (d.hint) lines.push(`${gutter} ${s.cyan("=")} ${s.bold("hint")}: ${d.hint}`);
  } else if (d.hint) {
    lines.push(`  ${s.cyan("=")} ${s.bold("hint")}: ${d.hint}`);
  }
  return lines.join("\n");
}

export function summaryLine(ds: readonly Diagnostic[], s: Styler): string {
  const { errors, warnings } = countBySeverity(ds);
  const parts = [
    `${errors} error${errors === 1 ? "" : "s"}`,
    `${warnings} warning${warnings === 1 ? "" : "s"}`,
  ];
  return errors > 0 ? s.red(`✖ ${parts.join(", ")}`) : s.yellow(`⚠ ${parts.join(", ")}`);
}

export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    ...(d.location
      ? { file: d.location.file, line: d.location.line, column: d.location.column }
      : {}),
    ...(d.path ? { path: formatPath(d.path) } : {}),
  };
}

const escapeData = (s: string) =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function renderGithub(d: Diagnostic): string {
  const props: string[] = [];
  if (d.location) {
    props.push(
      `file=${escapeProperty(d.location.file)}`,
      `line=${d.location.line}`,
      `col=${d.location.column}`,
    );
  }
  props.push(`title=${escapeProperty(`${d.code} ${d.severity}`)}`);
  const body = d.hint ? `${d.message}\nhint: ${d.hint}` : d.message;
  const command = d.severity === "note" ? "notice" : d.severity;
  return `::${command} ${props.join(",")}::${escapeData(`[${d.code}] ${body}`)}`;
}
