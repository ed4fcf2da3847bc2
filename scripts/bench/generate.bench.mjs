// Benchmark: whole-process `plumb generate` on synthesized estates (100 / 1,000 / 5,000
// machines, 20 per domain, anklume's benchmark shape), cold (empty output folder) and no-op
// (everything already generated: nothing may be written), plus --check on the up-to-date tree.
// Targets (issue 3): 5,000 machines cold ≤ 1.5 s; no-op ≤ 0.5 s with 0 files written.
//
// `npm run bench -- generate --compare "<command>"` also times another generator on the same
// input, cold and re-run. Placeholders: {infra} (an infra.yml file), {infra_dir} (the same estate
// as an infra/ folder), {out} (the folder to write inventory/, group_vars/, host_vars/ into).
// For anklume: --compare "python3 ../anklume/scripts/generate.py {infra} --base-dir {out}"
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { cleanup, fmt, PLUMB, row, summary, tempDir, time, writeTree } from "./harness.mjs";
import { PER_DOMAIN, SIZES, synthEstate } from "./synth.mjs";

const GENERATED = ["inventory", "group_vars", "host_vars"];
const W = [9, 7, 9, 16, 16, 8, 16, 16];

export async function bench({ runs = 5, compare } = {}) {
  const results = [];
  console.log(
    row(
      [
        "machines",
        "files",
        "mode",
        "cold (med/min)",
        "no-op (med/min)",
        "written",
        "check",
        "compare cold/re",
      ],
      W,
    ),
  );
  for (const n of SIZES) {
    const estate = synthEstate(n / PER_DOMAIN, PER_DOMAIN);
    const dir = tempDir(`generate-${n}`);
    try {
      writeTree(dir, {
        "repo/infra.yml": estate.file,
        ...Object.fromEntries(Object.entries(estate.dir).map(([k, v]) => [`infra/${k}`, v])),
      });
      const repo = join(dir, "repo");
      // Cold runs start from an empty output folder. The previous output is moved aside, not
      // deleted: deleting thousands of files right before a timed run makes the disk (mounted
      // with online discard here) slow during that run. The temp folder goes at the end.
      let moved = 0;
      const wipe = () => {
        const trash = join(dir, `old-${moved++}`);
        mkdirSync(trash);
        for (const d of GENERATED) {
          if (existsSync(join(repo, d))) renameSync(join(repo, d), join(trash, d));
        }
      };
      const argv = [process.execPath, PLUMB, "generate", "--quiet"];
      const cold = summary(time(argv, { cwd: repo, runs, setup: wipe }));
      const noop = summary(time(argv, { cwd: repo, runs }));
      const check = summary(time([...argv, "--check"], { cwd: repo, runs }));
      const report = spawnSync(process.execPath, [PLUMB, "generate", "--json"], {
        cwd: repo,
        encoding: "utf8",
      });
      const { summary: s } = JSON.parse(report.stdout);
      const files = s.unchanged + s.created + s.updated;
      let other = "";
      const entry = {
        name: `generate-${n}`,
        machines: n,
        files,
        cold,
        noop,
        check,
        written: s.written,
      };
      if (compare) {
        const out = join(dir, "other");
        const cmd = compare
          .replaceAll("{infra}", join(repo, "infra.yml"))
          .replaceAll("{infra_dir}", join(dir, "infra"))
          .replaceAll("{out}", out);
        const sh = ["sh", "-c", cmd];
        const wipeOther = () => {
          if (existsSync(out)) renameSync(out, join(dir, `other-${moved++}`));
        };
        const ocold = summary(time(sh, { cwd: dir, runs, setup: wipeOther }));
        const ore = summary(time(sh, { cwd: dir, runs }));
        other = `${fmt(ocold.median)} / ${fmt(ore.median)}`;
        entry.compare = { command: compare, cold: ocold, rerun: ore };
      }
      console.log(
        row(
          [
            n,
            files,
            "file",
            `${fmt(cold.median)} ${fmt(cold.min)}`,
            `${fmt(noop.median)} ${fmt(noop.min)}`,
            s.written,
            fmt(check.median),
            other,
          ],
          W,
        ),
      );
      results.push(entry);
    } finally {
      cleanup(dir);
    }
  }
  const big = results.find((r) => r.machines === 5000);
  if (big) {
    console.log(
      `5,000 machines: cold ${fmt(big.cold.median)} (target ≤ 1.500 s), no-op ${fmt(big.noop.median)} with ${big.written} files written (target ≤ 0.500 s, 0 written)`,
    );
  }
  return results;
}
