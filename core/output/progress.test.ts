// Progress people can watch: plain lines off a terminal (and in CI), one status line redrawn in
// place on a terminal (a fake TTY stream records the exact bytes), estimates and truncation.
import { describe, expect, it } from "vitest";
import { clock, liveProgressWanted, Progress } from "./progress.js";

function fakeStream(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, isTTY, columns, write: (t: string) => void writes.push(t) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's own redraw sequence
const REDRAW_OR_NEWLINE = /(\r\u001b\[2K|\n)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: plain lines must carry no terminal control
const CR_OR_ESC = /\r|\u001b/;

/** What a terminal shows: apply \r and "erase line" to a screen of lines. */
function screen(writes: readonly string[]): string[] {
  const lines = [""];
  for (const w of writes) {
    for (const part of w.split(REDRAW_OR_NEWLINE)) {
      if (part === "\r\u001b[2K") lines[lines.length - 1] = "";
      else if (part === "\n") lines.push("");
      else lines[lines.length - 1] += part;
    }
  }
  return lines;
}

describe("Progress", () => {
  it("off a terminal: one plain line per finished item with its counter, no control codes", () => {
    let t = 0;
    const s = fakeStream(false);
    const p = new Progress(s, {
      total: 3,
      verb: "apply",
      live: false,
      now: () => t,
      tickMs: 0,
      plainEveryMs: 0,
    });
    p.begin("a", "web/w1");
    p.begin("b", "web/w2");
    t = 2000;
    p.end("a", "✓ create instance web/w1 (2.0s)");
    p.note("retention: deleted 1");
    p.end("b", "✓ create instance web/w2 (2.0s)");
    p.stop();
    expect(s.writes.join("")).toBe(
      "[1/3] ✓ create instance web/w1 (2.0s)\nretention: deleted 1\n[2/3] ✓ create instance web/w2 (2.0s)\n",
    );
    expect(s.writes.join("")).not.toMatch(CR_OR_ESC);
  });

  it("status: done/total, percent, what is in flight, elapsed and an estimate", () => {
    let t = 0;
    const p = new Progress(fakeStream(false), {
      total: 4,
      verb: "flush",
      live: false,
      now: () => t,
      tickMs: 0,
      plainEveryMs: 0,
    });
    p.begin("a", "web/w1");
    p.begin("b", "web/w2");
    t = 10_000;
    p.end("a", "done");
    p.begin("c", "web/w3");
    expect(p.statusText()).toBe(
      "flush 1/4 (25%) · 2 in flight: web/w2, web/w3 · 0:10 elapsed · ~0:30 left",
    );
    // Narrow terminal: names are cut first, counts and clock stay whole.
    const narrow = p.statusText(60);
    expect(narrow.length).toBeLessThanOrEqual(60);
    expect(narrow).toMatch(/^flush 1\/4 \(25%\) · 2 in flight.* · 0:10 elapsed · ~0:30 left$/);
    p.stop();
  });

  it("on a terminal: result lines scroll above one status line redrawn in place, cleared at the end", () => {
    let t = 0;
    const s = fakeStream(true, 80);
    const p = new Progress(s, { total: 2, verb: "apply", live: true, now: () => t, tickMs: 0 });
    p.begin("a", "web/w1");
    expect(screen(s.writes)).toEqual(["apply 0/2 (0%) · 1 in flight: web/w1 · 0:00 elapsed"]);
    p.begin("b", "web/w2");
    t = 3000;
    p.end("a", "[ok] w1");
    expect(screen(s.writes)).toEqual([
      "[1/2] [ok] w1",
      "apply 1/2 (50%) · 1 in flight: web/w2 · 0:03 elapsed · ~0:03 left",
    ]);
    t = 5000;
    p.end("b", "[ok] w2");
    p.stop();
    expect(screen(s.writes)).toEqual(["[1/2] [ok] w1", "[2/2] [ok] w2", ""]);
    // Every redraw starts by erasing the line: no status line is ever left half-overwritten.
    const status = s.writes.filter((x) => x.includes(" elapsed"));
    expect(status.length).toBeGreaterThanOrEqual(3);
    for (const w of status) expect(w.startsWith("\r\u001b[2K")).toBe(true);
  });

  it("off a terminal, long items: a status line every plainEveryMs while work is in flight", async () => {
    const s = fakeStream(false);
    const p = new Progress(s, { total: 1, verb: "apply", live: false, plainEveryMs: 20 });
    p.begin("a", "web/w1");
    await new Promise((r) => setTimeout(r, 1100));
    p.end("a", "done");
    p.stop();
    expect(
      s.writes.some((w) => /^apply 0\/1 \(0%\) · 1 in flight: web\/w1 · 0:0\d elapsed\n$/.test(w)),
    ).toBe(true);
    expect(s.writes.join("")).not.toMatch(CR_OR_ESC);
  });

  it("live only on a terminal outside CI", () => {
    expect(liveProgressWanted({ write: () => 0, isTTY: true }, {})).toBe(true);
    expect(liveProgressWanted({ write: () => 0, isTTY: true }, { CI: "true" })).toBe(false);
    expect(liveProgressWanted({ write: () => 0, isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(liveProgressWanted({ write: () => 0, isTTY: false }, {})).toBe(false);
  });

  it("clock", () => {
    expect([clock(0), clock(75_000), clock(3_725_000)]).toEqual(["0:00", "1:15", "1:02:05"]);
  });
});
