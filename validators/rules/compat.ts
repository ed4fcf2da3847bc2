// anklume compatibility: keys its own scripts read (ANKLUME_ONLY_KEYS) are accepted with a note
// saying plumb ignores them, so anklume's examples validate while a typo stays an error.
import type { Diagnostic } from "../../core/diagnostics.js";
import { ANKLUME_ONLY_KEYS } from "../infra-schema.js";
import type { Rule } from "./context.js";
import { machinePath } from "./context.js";

export const anklumeOnlyKeysNoted: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  const note = (key: string, where: string, path: (string | number)[]): Diagnostic => ({
    code: "PLB108",
    severity: "note",
    message: `'${key}' on ${where} is an anklume key plumb does not act on (ignored)`,
    hint: "keep it if anklume's own scripts read it; plumb neither validates nor applies it",
    path,
    target: "key",
  });
  for (const d of ctx.domains)
    for (const key of ANKLUME_ONLY_KEYS.domain)
      if (key in d.value) out.push(note(key, `domain '${d.name}'`, ["domains", d.name, key]));
  for (const m of ctx.machines)
    for (const key of ANKLUME_ONLY_KEYS.machine)
      if (key in m.value) out.push(note(key, `machine '${m.name}'`, machinePath(m, key)));
  return out;
};
