// The restricted template language: what renders, and what is refused where.
import { describe, expect, it } from "vitest";
import type { TemplateManifest } from "../../core/model/template.js";
import { renderText, scopeOf } from "./render.js";
import { checkTemplateText, isStaticText } from "./template-language.js";

const names = new Set(["domain", "title", "items", "cfg", "n"]);
const manifest = {
  inputs: { type: "object", properties: Object.fromEntries([...names].map((k) => [k, {}])) },
} as unknown as TemplateManifest;
const render = (text: string, inputs: Record<string, unknown>) =>
  renderText(text, scopeOf(manifest, inputs), "t.njk");

describe("restricted template language: allowed", () => {
  it("renders variables, lookups, allowed filters, tests, if, for and operators", () => {
    const inputs = {
      domain: "example.com",
      items: ["a", "b"],
      cfg: { port: 80, names: ["x"] },
      n: 3,
    };
    expect(render('{{ (title or "Welcome to " + domain) | escape }}', inputs)).toBe(
      "Welcome to example.com",
    );
    expect(
      render(
        "{% for i in items %}{{ loop.index }}={{ i | upper }}{% if not loop.last %},{% endif %}{% endfor %}",
        inputs,
      ),
    ).toBe("1=A,2=B");
    expect(render("{{ cfg.port + 1 }} {{ cfg['port'] }} {{ cfg.names[0] }}", inputs)).toBe(
      "81 80 x",
    );
    expect(
      render("{{ title is defined }} {{ n if n > 2 else 0 }} {{ domain ~ '!' }}", inputs),
    ).toBe("false 3 example.com!");
    expect(
      render("{{ items | join(', ') }} {{ domain | replace('.', '-') | truncate(20) }}", inputs),
    ).toBe("a, b example-com");
    expect(render("{% for k, v in cfg %}{{ k }};{% else %}none{% endfor %}", inputs)).toBe(
      "port;names;",
    );
    expect(render("{% raw %}{{ not rendered }}{% endraw %}{# comment #}", inputs)).toBe(
      "{{ not rendered }}",
    );
  });

  it("isStaticText is true only for text without expressions or tags", () => {
    expect(isStaticText("#!/bin/sh\necho hi\n{# note #}")).toBe(true);
    expect(isStaticText("echo {{ domain }}")).toBe(false);
    expect(isStaticText("{% if domain %}x{% endif %}")).toBe(false);
    expect(isStaticText("{{ unclosed")).toBe(false);
  });
});

describe("restricted template language: refused with line and column", () => {
  const cases: [string, string, number, number][] = [
    // [text, message fragment, line, column]
    ['{{ range.constructor("return 1")() }}', "calls are not allowed", 1, 33],
    ["{{ domain.constructor }}", "'constructor' is not allowed", 1, 11],
    ["x\n  {{ cycler }}", "'cycler' is not a declared input", 2, 6],
    ["{{ joiner() }}", "calls are not allowed", 1, 10],
    ['{{ domain["__proto__"] }}', "'__proto__' is not allowed", 1, 11],
    ["{{ domain[title] }}", "computed keys are not allowed", 1, 11],
    ["{{ items.toString }}", "'toString' is not allowed", 1, 10],
    ["{{ items.valueOf }}", "'valueOf' is not allowed", 1, 10],
    ["{{ cfg.call }}", "'call' is not allowed", 1, 8],
    ["{{ cfg.__defineGetter__ }}", "'__defineGetter__' is not allowed", 1, 8],
    ["{% for x in items %}{{ loop.constructor }}{% endfor %}", "'constructor'", 1, 29],
    ["{{ loop.index }}", "'loop' is not a declared input", 1, 4],
    ["{% set x = 1 %}", "{% set %} is not allowed", 1, 4],
    ['{% include "x" %}', "{% include %} is not allowed", 1, 4],
    ["{% macro m() %}{% endmacro %}", "{% macro %} is not allowed", 1, 4],
    ['{% extends "x" %}', "{% extends %} is not allowed", 1, 4],
    ["{% filter upper %}x{% endfilter %}", "not allowed", 1, 11],
    ["{{ domain | safe }}", "the filter 'safe' is not allowed", 1, 13],
    ["{{ items | sort(false, true, 'constructor') }}", "'constructor' is not allowed", 1, 30],
    ["{{ n is divisibleby(3) }}", "only these tests", 1, 20],
    ["{{ r/x/g }}", "only string, number", 1, 4],
    ["{{ {a: 1} }}", "mapping literal", 1, 4],
    ["{{ domain | truncate(3, __proto__=1) }}", "keyword arguments", 1, 25],
    ["{{ undefined_name }}", "'undefined_name' is not a declared input", 1, 4],
  ];
  for (const [text, fragment, line, column] of cases) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const issue = checkTemplateText(text, names);
      expect(issue?.syntax).toBe(false);
      expect(issue?.message).toContain(fragment);
      expect({ line: issue?.line, column: issue?.column }).toEqual({ line, column });
      expect(() => render(text, {})).toThrow(expect.objectContaining({ code: "PLB823" }));
    });
  }

  it("a syntax error is PLB856 with its position", () => {
    const issue = checkTemplateText("ok\n{{ domain | }}", names);
    expect(issue?.syntax).toBe(true);
    expect(() => render("ok\n{{ domain | }}", {})).toThrow(
      expect.objectContaining({ code: "PLB856" }),
    );
  });
});
