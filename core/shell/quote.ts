// The one quoting function: every value that reaches a generated Bash script goes through shq().
// Single quotes make bash interpret nothing ($, `, \, !, newlines are literal); a quote inside
// becomes '\''. NUL cannot live in a bash string, so it is refused rather than silently dropped
// (unlike shescape/shell-quote; docs/contracts.md). No other escaping
// scheme (printf %q, backslashes) is used in signed content: those depend on bash's version.
import { PlumbError } from "../errors.js";

export function shq(value: string): string {
  if (value.includes("\u0000")) {
    throw new PlumbError("PLB852", "a value contains a NUL byte, which a Bash string cannot hold", {
      hint: "remove the NUL character from the input or file",
    });
  }
  if (!value.isWellFormed()) {
    // A lone UTF-16 surrogate has no UTF-8 encoding: it would silently become U+FFFD.
    throw new PlumbError(
      "PLB852",
      "a value contains a lone UTF-16 surrogate, which has no UTF-8 encoding",
      {
        hint: "the input is not well-formed Unicode text",
      },
    );
  }
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each element of an argv, joined by spaces: `cmd 'a b' 'c'`. */
export function shqArgv(argv: readonly string[]): string {
  return argv.map(shq).join(" ");
}

/** A safe Bash identifier (for generated variable/function names). */
export function isShellIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}
