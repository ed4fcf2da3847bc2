// Incus's key grammar for config keys, device names and device keys: a key that Incus would
// not accept, or that carries newlines, backticks, markup or control characters into the plan a
// reviewer reads, is refused at validate (PLB910, PLB911).
import type { Diagnostic, JsonPath } from "../../core/diagnostics.js";
import { isRecord } from "../../core/model/addressing.js";
import type { Rule } from "./context.js";
import { machinePath } from "./context.js";

/** Dot-separated words of letters, digits, `_` and `-`: `limits.memory`, `environment.DB_HOST`. */
export const CONFIG_KEY_RE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
/** `eth0`, `data-disk`, `sv-docs`, `pd.cache`. */
export const DEVICE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** `ipv4.address`, `nictype`, `security.mac_filtering`. */
export const DEVICE_KEY_RE = CONFIG_KEY_RE;
const MAX_KEY = 255;

const shown = (k: string) => JSON.stringify(k).slice(0, 80);

function checkMaps(owner: JsonPath, value: Record<string, unknown>, out: Diagnostic[]): void {
  if (isRecord(value.config)) {
    for (const k of Object.keys(value.config)) {
      if (k.length <= MAX_KEY && CONFIG_KEY_RE.test(k)) continue;
      out.push({
        code: "PLB910",
        severity: "error",
        message: `config key ${shown(k)} is not an Incus config key`,
        hint: "dot-separated words of letters, digits, `_` and `-`, e.g. user.app-role or limits.memory",
        path: [...owner, "config", k],
        target: "key",
      });
    }
  }
  if (isRecord(value.devices)) {
    for (const [name, dev] of Object.entries(value.devices)) {
      if (!DEVICE_NAME_RE.test(name)) {
        out.push({
          code: "PLB911",
          severity: "error",
          message: `device name ${shown(name)} is not an Incus device name`,
          hint: "letters, digits, `_`, `-` and `.`, starting with a letter or digit (at most 64)",
          path: [...owner, "devices", name],
          target: "key",
        });
        continue;
      }
      if (!isRecord(dev)) continue;
      for (const k of Object.keys(dev)) {
        if (k.length <= MAX_KEY && DEVICE_KEY_RE.test(k)) continue;
        out.push({
          code: "PLB911",
          severity: "error",
          message: `device ${name}: key ${shown(k)} is not an Incus device key`,
          hint: "dot-separated words of letters, digits, `_` and `-`, e.g. ipv4.address",
          path: [...owner, "devices", name, k],
          target: "key",
        });
      }
    }
  }
}

export const incusKeysAreValid: Rule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const m of ctx.machines) checkMaps(machinePath(m), m.value, out);
  for (const d of ctx.domains) {
    if (!isRecord(d.value.profiles)) continue;
    for (const [p, prof] of Object.entries(d.value.profiles)) {
      if (isRecord(prof)) checkMaps(["domains", d.name, "profiles", p], prof, out);
    }
  }
  return out;
};
