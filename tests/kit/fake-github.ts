// A local GitHub API on 127.0.0.1 with the endpoints plumb uses for PR comments: GET /user, the
// issue-comments list (paginated with Link headers, as in @octokit/fixtures' paginate-issues
// recording), create, update, delete; and for approvals: GET a pull request and its reviews
// (paginated the same way; shapes as GitHub's REST reference documents them — @octokit/fixtures
// has no pull-request review recording). Response shapes (user objects, Link header, 401/422 error
// bodies) are copied from @octokit/fixtures. An optional path prefix stands for GitHub Enterprise
// (`/api/v3`). Never reaches the network.

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";

interface Fixture {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly response: unknown;
  readonly headers: Record<string, string>;
}

// Read the recordings directly: the package's index also loads nock, which patches http.
const FIXTURES = dirname(createRequire(import.meta.url).resolve("@octokit/fixtures/package.json"));
const scenario = (name: string) =>
  JSON.parse(
    readFileSync(
      join(FIXTURES, "scenarios", "api.github.com", name, "normalized-fixture.json"),
      "utf8",
    ),
  ) as Fixture[];
const recorded = scenario("paginate-issues");
const errors = scenario("errors");
const firstIssue = ((recorded[0]?.response ?? []) as { user?: Record<string, unknown> }[])[0];
const USER_TEMPLATE: Record<string, unknown> = firstIssue?.user ?? {};
const VALIDATION_FAILED = errors.find((f) => f.status === 422)?.response as {
  message: string;
  documentation_url: string;
};

export interface StoredComment {
  id: number;
  body: string;
  login: string;
  created_at: string;
  updated_at: string;
}

export interface FakeGithubOptions {
  /** Path prefix of the API (GitHub Enterprise: `/api/v3`). */
  readonly prefix?: string;
  readonly token?: string;
  /** Login answered by GET /user; undefined: 403 like an Actions GITHUB_TOKEN. */
  readonly login?: string;
  /** Login recorded as author of comments created with the token. */
  readonly author?: string;
}

export interface StoredReview {
  id: number;
  login: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";
  commit_id: string;
  submitted_at: string;
}

export class FakeGithub {
  readonly comments = new Map<string, StoredComment[]>();
  readonly pulls = new Map<string, { author: string; headSha: string }>();
  readonly reviews = new Map<string, StoredReview[]>();
  readonly requests: { method: string; path: string }[] = [];
  #nextId = 5000;
  #server!: Server;
  url = "";

  private constructor(readonly options: FakeGithubOptions) {}

  static async start(options: FakeGithubOptions = {}): Promise<FakeGithub> {
    const f = new FakeGithub(options);
    f.#server = createServer((req, res) => void f.#handle(req, res));
    await new Promise<void>((r) => f.#server.listen(0, "127.0.0.1", r));
    const port = (f.#server.address() as AddressInfo).port;
    f.url = `http://127.0.0.1:${port}${options.prefix ?? ""}`;
    return f;
  }

  close(): Promise<void> {
    return new Promise((r) => this.#server.close(() => r()));
  }

  /** Adds comments by someone else (another user, or a pasted marker). */
  seed(owner: string, repo: string, pr: number, login: string, bodies: readonly string[]): void {
    const list = this.#list(owner, repo, pr);
    for (const body of bodies) list.push(this.#make(body, login));
  }

  /** Declares a pull request: its author and head commit. */
  setPull(owner: string, repo: string, pr: number, author: string, headSha: string): void {
    this.pulls.set(`${owner}/${repo}#${pr}`, { author, headSha });
  }

  /** Adds a review (in submission order). */
  review(
    owner: string,
    repo: string,
    pr: number,
    login: string,
    state: StoredReview["state"],
    commitId: string,
  ): StoredReview {
    const k = `${owner}/${repo}#${pr}`;
    if (!this.reviews.has(k)) this.reviews.set(k, []);
    const t = new Date(Date.UTC(2026, 0, 2, 0, 0, this.#nextId))
      .toISOString()
      .replace(/\.000Z$/, "Z");
    const r: StoredReview = {
      id: this.#nextId++,
      login,
      state,
      commit_id: commitId,
      submitted_at: t,
    };
    this.reviews.get(k)?.push(r);
    return r;
  }

  list(owner: string, repo: string, pr: number): StoredComment[] {
    return this.#list(owner, repo, pr);
  }

  #list(owner: string, repo: string, pr: number): StoredComment[] {
    const k = `${owner}/${repo}#${pr}`;
    if (!this.comments.has(k)) this.comments.set(k, []);
    return this.comments.get(k) as StoredComment[];
  }

  #make(body: string, login: string): StoredComment {
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, this.#nextId))
      .toISOString()
      .replace(/\.000Z$/, "Z");
    return { id: this.#nextId++, body, login, created_at: t, updated_at: t };
  }

  #shape(c: StoredComment, owner: string, repo: string) {
    const api = this.url;
    return {
      url: `${api}/repos/${owner}/${repo}/issues/comments/${c.id}`,
      html_url: `https://github.test/${owner}/${repo}/pull/1#issuecomment-${c.id}`,
      issue_url: `${api}/repos/${owner}/${repo}/issues/1`,
      id: c.id,
      node_id: "MDA6RW50aXR5MQ==",
      user: { ...USER_TEMPLATE, login: c.login, type: c.login.endsWith("[bot]") ? "Bot" : "User" },
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: "MEMBER",
      body: c.body,
      reactions: { total_count: 0 },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const prefix = this.options.prefix ?? "";
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    this.requests.push({ method: req.method ?? "", path: url.pathname + url.search });
    if (!url.pathname.startsWith(`${prefix}/`))
      return send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    const path = url.pathname.slice(prefix.length);
    const auth = req.headers.authorization ?? "";
    const token = this.options.token ?? "test-token";
    if (auth !== `token ${token}` && auth !== `bearer ${token}`)
      return send(401, {
        message: "Bad credentials",
        documentation_url: "https://docs.github.com/rest",
      });
    if (req.method === "GET" && path === "/user") {
      if (this.options.login === undefined)
        return send(403, {
          message: "Resource not accessible by integration",
          documentation_url: "https://docs.github.com/rest",
        });
      return send(200, { ...USER_TEMPLATE, login: this.options.login });
    }
    let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    if (m) {
      const [owner, repo, pr] = [m[1] as string, m[2] as string, Number(m[3])];
      const list = this.#list(owner, repo, pr);
      if (req.method === "GET") {
        const per = Math.min(100, Number(url.searchParams.get("per_page") ?? 30));
        const page = Number(url.searchParams.get("page") ?? 1);
        const last = Math.max(1, Math.ceil(list.length / per));
        const link = (p: number, rel: string) =>
          `<${this.url}/repos/${owner}/${repo}/issues/${pr}/comments?per_page=${per}&page=${p}>; rel="${rel}"`;
        const links: string[] = [];
        if (page > 1) links.push(link(page - 1, "prev"));
        if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
        if (page > 1) links.push(link(1, "first"));
        const items = list
          .slice((page - 1) * per, page * per)
          .map((c) => this.#shape(c, owner, repo));
        return send(200, items, links.length ? { link: links.join(", ") } : {});
      }
      if (req.method === "POST") {
        const body = (JSON.parse(raw) as { body: string }).body;
        if (body.length > 65_536) return send(422, tooLong());
        const c = this.#make(
          body,
          this.options.author ?? this.options.login ?? "github-actions[bot]",
        );
        list.push(c);
        return send(201, this.#shape(c, owner, repo));
      }
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)(\/reviews)?$/.exec(path);
    if (m && req.method === "GET") {
      const [owner, repo, pr] = [m[1] as string, m[2] as string, Number(m[3])];
      const pull = this.pulls.get(`${owner}/${repo}#${pr}`);
      if (!pull)
        return send(404, {
          message: "Not Found",
          documentation_url: "https://docs.github.com/rest",
        });
      const user = (login: string) => ({
        ...USER_TEMPLATE,
        login,
        type: login.endsWith("[bot]") ? "Bot" : "User",
      });
      if (m[4] === undefined)
        return send(200, {
          url: `${this.url}/repos/${owner}/${repo}/pulls/${pr}`,
          id: 1000 + pr,
          number: pr,
          state: "open",
          title: "a change",
          user: user(pull.author),
          head: { label: `${owner}:topic`, ref: "topic", sha: pull.headSha, user: user(owner) },
          base: { label: `${owner}:main`, ref: "main", sha: "0".repeat(40), user: user(owner) },
          author_association: "MEMBER",
        });
      const list = this.reviews.get(`${owner}/${repo}#${pr}`) ?? [];
      const per = Math.min(100, Number(url.searchParams.get("per_page") ?? 30));
      const page = Number(url.searchParams.get("page") ?? 1);
      const last = Math.max(1, Math.ceil(list.length / per));
      const link = (p: number, rel: string) =>
        `<${this.url}/repos/${owner}/${repo}/pulls/${pr}/reviews?per_page=${per}&page=${p}>; rel="${rel}"`;
      const links: string[] = [];
      if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
      if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
      const items = list.slice((page - 1) * per, page * per).map((r) => ({
        id: r.id,
        node_id: "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
        user: user(r.login),
        body: "",
        state: r.state,
        html_url: `https://github.test/${owner}/${repo}/pull/${pr}#pullrequestreview-${r.id}`,
        pull_request_url: `${this.url}/repos/${owner}/${repo}/pulls/${pr}`,
        author_association: "COLLABORATOR",
        _links: { html: { href: "" }, pull_request: { href: "" } },
        submitted_at: r.submitted_at,
        commit_id: r.commit_id,
      }));
      return send(200, items, links.length ? { link: links.join(", ") } : {});
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    if (m) {
      const [owner, repo, id] = [m[1] as string, m[2] as string, Number(m[3])];
      for (const list of this.comments.values()) {
        const i = list.findIndex((c) => c.id === id);
        if (i < 0) continue;
        const c = list[i] as StoredComment;
        if (req.method === "PATCH") {
          const body = (JSON.parse(raw) as { body: string }).body;
          if (body.length > 65_536) return send(422, tooLong());
          c.body = body;
          c.updated_at = new Date().toISOString();
          return send(200, this.#shape(c, owner, repo));
        }
        if (req.method === "DELETE") {
          list.splice(i, 1);
          res.writeHead(204);
          return void res.end();
        }
      }
    }
    return send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  }
}

function tooLong() {
  return {
    message: VALIDATION_FAILED?.message ?? "Validation Failed",
    errors: [
      {
        resource: "IssueComment",
        code: "custom",
        field: "body",
        message: "body is too long (maximum is 65536 characters)",
      },
    ],
    documentation_url: VALIDATION_FAILED?.documentation_url,
  };
}
