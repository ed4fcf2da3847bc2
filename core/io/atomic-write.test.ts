import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BATCH_FLUSH_FROM,
  flushFileSystems,
  isTempFile,
  tempPathFor,
  writeFileAtomic,
  writeFilesAtomic,
} from "./atomic-write.js";

const dir = () => mkdtempSync(join(tmpdir(), "plumb-atomic-"));

describe("writeFilesAtomic", () => {
  it("writes new files and replaces existing ones, leaving no temporary file", async () => {
    const d = dir();
    writeFileSync(join(d, "a.yml"), "old\n");
    await writeFilesAtomic([
      { path: join(d, "a.yml"), content: "new a\n" },
      { path: join(d, "b.yml"), content: "new b\n" },
    ]);
    expect(readFileSync(join(d, "a.yml"), "utf8")).toBe("new a\n");
    expect(readFileSync(join(d, "b.yml"), "utf8")).toBe("new b\n");
    expect(readdirSync(d).sort()).toEqual(["a.yml", "b.yml"]);
  });

  it("keeps the permissions of a replaced file", async () => {
    const d = dir();
    const p = join(d, "a.yml");
    writeFileSync(p, "old\n");
    chmodSync(p, 0o640);
    await writeFileAtomic(p, "new\n");
    expect(statSync(p).mode & 0o777).toBe(0o640);
  });

  it("on failure leaves the targets as they were and removes its temporary files", async () => {
    const d = dir();
    writeFileSync(join(d, "a.yml"), "old\n");
    mkdirSync(join(d, "blocked.yml")); // rename over a non-empty directory fails
    writeFileSync(join(d, "blocked.yml", "x"), "");
    await expect(
      writeFilesAtomic([
        { path: join(d, "blocked.yml"), content: "new\n" },
        { path: join(d, "a.yml"), content: "new a\n" },
      ]),
    ).rejects.toThrow();
    expect(readFileSync(join(d, "a.yml"), "utf8")).toBe("old\n");
    expect(readdirSync(d).filter(isTempFile)).toEqual([]);
  });
});

describe("large batches", () => {
  const batch = (d: string) =>
    Array.from({ length: BATCH_FLUSH_FROM + 3 }, (_, i) => ({
      path: join(d, `f${i}.yml`),
      content: `n: ${i}\n`,
    }));

  it("flush the file system once, before any rename", async () => {
    const d = dir();
    const files = batch(d);
    const seen: string[][] = [];
    const flushed: (readonly string[])[] = [];
    await writeFilesAtomic(files, {
      flushFileSystems: (dirs) => {
        // Every temporary file exists and no target does yet when the flush happens.
        seen.push(readdirSync(d));
        flushed.push(dirs);
        return true;
      },
    });
    expect(flushed).toEqual([[d]]);
    expect(seen[0]?.every(isTempFile)).toBe(true);
    expect(seen[0]).toHaveLength(files.length);
    for (const f of files) expect(readFileSync(f.path, "utf8")).toBe(f.content);
    expect(readdirSync(d).filter(isTempFile)).toEqual([]);
  });

  it("fall back to per-file fsync when the file system cannot be flushed", async () => {
    const d = dir();
    const files = batch(d);
    await writeFilesAtomic(files, { flushFileSystems: () => false });
    for (const f of files) expect(readFileSync(f.path, "utf8")).toBe(f.content);
  });

  it.skipIf(process.platform !== "linux")("flushes through `sync -f` on Linux", async () => {
    expect(await flushFileSystems([dir()])).toBe(true);
  });
});

describe("temporary names", () => {
  it("are hidden, beside the target, and recognisable", () => {
    const t = tempPathFor("/x/host_vars/web.yml");
    expect(t.startsWith("/x/host_vars/.web.yml.")).toBe(true);
    expect(isTempFile(t.slice("/x/host_vars/".length))).toBe(true);
    expect(isTempFile("web.yml")).toBe(false);
  });
});
