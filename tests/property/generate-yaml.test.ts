// Ansible reads the generated files with PyYAML (YAML 1.1): the real reader, when installed,
// must read arbitrary emitter output back unchanged.
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emitYaml, type YamlValue } from "../../generators/ansible/yaml-emit.js";

const hasPyYaml = spawnSync("python3", ["-c", "import yaml"]).status === 0;

const key = fc.string({ minLength: 1, maxLength: 12 });
const leaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("yes", "off", "~", "0777", "1_0", "12:30", "2001-12-14", "a: b", "é — ok", "."),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec<{ v: YamlValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(key, tie("v"), { maxKeys: 4 }),
  ),
})).v;

describe("emitYaml and PyYAML", () => {
  it.skipIf(!hasPyYaml)("PyYAML reads arbitrary emitter output back unchanged", () => {
    // Given 300 arbitrary documents (fixed seed: reproducible)
    const samples = fc.sample(fc.dictionary(key, value, { maxKeys: 5 }), {
      numRuns: 300,
      seed: 42,
    });
    // When PyYAML's safe_load reads each emitted text
    const script =
      "import sys, json, yaml\n" +
      "print(json.dumps([yaml.safe_load(t) or {} for t in json.load(sys.stdin)]))";
    const r = spawnSync("python3", ["-c", script], {
      input: JSON.stringify(samples.map(emitYaml)),
      encoding: "utf8",
    });
    // Then it gets the same data back
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(samples)));
  });
});
