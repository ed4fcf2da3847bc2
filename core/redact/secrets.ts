// `{secret: NAME}` contract inputs resolved at apply (docs/security.md#secrets): first
// `.plumb/secrets.yml` — a regular file of this user with mode 0600, else refused (PLB770) —
// then the environment variable `PLUMB_SECRET_<NAME>`. Values go into the forged contract.sh
// only; messages name the secret, never its value.
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import jsyaml from "js-yaml";
import { PlumbError } from "../errors.js";
import { isSecretRef, SECRET_NAME_RE } from "./secret-ref.js";

export const SECRETS_FILE = join(".plumb", "secrets.yml");

export type SecretSource = (name: string) => string;

/** Reads `.plumb/secrets.yml` once (if present) and answers names from it, then the environment. */
export function secretResolver(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): SecretSource {
  let file: Readonly<Record<string, string>> | undefined;
  const fromFile = () => (file ??= readSecretsFile(join(root, SECRETS_FILE)));
  return (name) => {
    if (!SECRET_NAME_RE.test(name))
      throw new PlumbError(
        "PLB771",
        `secret name ${JSON.stringify(name.slice(0, 64))} is not valid`,
        {
          hint: "names are letters, digits and _",
        },
      );
    const v = fromFile()[name] ?? env[`PLUMB_SECRET_${name}`];
    if (v === undefined)
      throw new PlumbError("PLB771", `secret '${name}' has no value`, {
        hint: `add '${name}: …' to ${SECRETS_FILE} (mode 0600) or export PLUMB_SECRET_${name}`,
      });
    return v;
  };
}

/** The secrets file: absent → empty; a link, another owner or any group/other access → PLB770. */
export function readSecretsFile(path: string): Readonly<Record<string, string>> {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return {};
  const uid = process.getuid?.();
  if (!st.isFile() || (st.mode & 0o077) !== 0 || (uid !== undefined && st.uid !== uid)) {
    const why = !st.isFile()
      ? "is not a regular file"
      : (st.mode & 0o077) !== 0
        ? `has mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}`
        : "belongs to another user";
    throw new PlumbError("PLB770", `${SECRETS_FILE} ${why}; refusing to read secrets from it`, {
      hint: `chmod 600 ${SECRETS_FILE} (a regular file you own, no group or other access)`,
    });
  }
  let doc: unknown;
  try {
    doc = jsyaml.load(readFileSync(path, "utf8"), { schema: jsyaml.CORE_SCHEMA });
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    throw new PlumbError(
      "PLB772",
      `${SECRETS_FILE}${mark ? `:${mark.line + 1}:${mark.column + 1}` : ""} is not valid YAML`,
    );
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new PlumbError("PLB772", `${SECRETS_FILE} must be a mapping NAME: value`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v !== "string" && typeof v !== "number")
      throw new PlumbError("PLB772", `${SECRETS_FILE}: '${k}' must be a string`);
    out[k] = String(v);
  }
  return out;
}

/** Contract inputs with every `{secret: NAME}` replaced by its value (for forging at apply). */
export function resolveSecretInputs(
  inputs: Readonly<Record<string, unknown>>,
  secret: SecretSource,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, isSecretRef(v) ? secret(v.secret) : v]),
  );
}
