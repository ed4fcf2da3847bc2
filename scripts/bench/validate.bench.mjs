// Benchmark: whole-process `plumb validate` on synthesized estates (100 / 1,000 / 5,000
// machines, 20 per domain), single file and directory mode; and `plumb --version`.
// Targets (issue 2): 5,000 machines ≤ 0.5 s; --version ≤ 150 ms.
import { cleanup, fmt, PLUMB, row, summary, tempDir, time, writeTree } from "./harness.mjs";
import { PER_DOMAIN, SIZES, synthEstate } from "./synth.mjs";

export async function bench({ runs = 5 } = {}) {
  const results = [];
  const version = summary(time([process.execPath, PLUMB, "--version"], { runs }));
  console.log(
    `plumb --version: median ${fmt(version.median)}, min ${fmt(version.min)} (target ≤ 0.150 s)`,
  );
  results.push({ name: "version", ...version });
  console.log(row(["machines", "mode", "bytes", "median", "min"], [10, 6, 10, 10, 10]));
  for (const n of SIZES) {
    const estate = synthEstate(n / PER_DOMAIN, PER_DOMAIN);
    for (const mode of ["file", "dir"]) {
      const dir = tempDir(`validate-${n}`);
      try {
        if (mode === "file") writeTree(dir, { "infra.yml": estate.file });
        else
          writeTree(
            dir,
            Object.fromEntries(Object.entries(estate.dir).map(([k, v]) => [`infra/${k}`, v])),
          );
        const s = summary(
          time([process.execPath, PLUMB, "validate", "--quiet"], { cwd: dir, runs }),
        );
        const bytes =
          mode === "file"
            ? estate.file.length
            : Object.values(estate.dir).reduce((a, t) => a + t.length, 0);
        console.log(row([n, mode, bytes, fmt(s.median), fmt(s.min)], [10, 6, 10, 10, 10]));
        results.push({ name: `validate-${n}-${mode}`, machines: n, mode, ...s });
      } finally {
        cleanup(dir);
      }
    }
  }
  return results;
}
