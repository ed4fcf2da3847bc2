// Benchmark: whole-process `plumb validate` on synthesized estates (100 / 1,000 / 5,000
// machines, 20 per domain), single file and directory mode; and `plumb --version`.
// Targets (issue 2): 5,000 machines ≤ 0.5 s; --version ≤ 150 ms.
// And (issue 8): `plumb validate` on this repository with nothing changed (template verdict and
// lint results cached) ≤ 1.3 × `--skip-templates`; the cold run (empty cache) is shown too.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cleanup, fmt, PLUMB, REPO, row, summary, tempDir, time, writeTree } from "./harness.mjs";
import { PER_DOMAIN, SIZES, synthEstate } from "./synth.mjs";

export async function bench({ runs = 5 } = {}) {
  const results = [];
  const version = summary(time([process.execPath, PLUMB, "--version"], { runs }));
  console.log(
    `plumb --version: median ${fmt(version.median)}, min ${fmt(version.min)} (target ≤ 0.150 s)`,
  );
  results.push({ name: "version", ...version });
  results.push(...repositoryValidate(runs));
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

/** This repository: full validate (templates checked, cache warm) against --skip-templates. */
export function repositoryValidate(runs) {
  const cache = tempDir("xdg"); // a private machine secret, so the cold run is really cold
  const env = { XDG_CACHE_HOME: cache };
  const fresh = tempDir("repo");
  try {
    // Cold: a copy of the repository's inputs with no .plumb/ cache.
    for (const f of ["infra", "templates", "templates.lock"])
      cpSync(join(REPO, f), join(fresh, f), { recursive: true });
    mkdirSync(join(fresh, ".git"));
    const cold = summary(
      time([process.execPath, PLUMB, "validate", "--quiet"], {
        cwd: fresh,
        runs: 1,
        env,
        setup: () => rmSync(join(fresh, ".plumb"), { recursive: true, force: true }),
      }),
    );
    time([process.execPath, PLUMB, "validate", "--quiet"], { cwd: fresh, runs: 1, env }); // warm
    const full = [];
    const skip = [];
    for (let i = 0; i < runs; i++) {
      // Interleaved, so a burst of load elsewhere hits both alike.
      full.push(
        ...time([process.execPath, PLUMB, "validate", "--quiet"], { cwd: fresh, runs: 1, env }),
      );
      skip.push(
        ...time([process.execPath, PLUMB, "validate", "--quiet", "--skip-templates"], {
          cwd: fresh,
          runs: 1,
          env,
        }),
      );
    }
    const f = summary(full.sort((a, b) => a - b));
    const k = summary(skip.sort((a, b) => a - b));
    const ratio = f.median / k.median;
    console.log(
      `validate (this repository, nothing changed): median ${fmt(f.median)}; --skip-templates median ${fmt(k.median)}; ratio ${ratio.toFixed(2)} (target ≤ 1.3); cold (empty cache) ${fmt(cold.median)}`,
    );
    return [
      { name: "validate-repo-cached", ...f },
      { name: "validate-repo-skip-templates", ...k },
      { name: "validate-repo-cold", ...cold },
      { name: "validate-repo-ratio", ratio },
    ];
  } finally {
    cleanup(fresh);
    cleanup(cache);
  }
}
