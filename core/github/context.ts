// Where a PR comment goes: token from GITHUB_TOKEN, API base from GITHUB_API_URL (GitHub
// Enterprise: https://ghe.example/api/v3), repository and PR number from the options, else from
// GITHUB_REPOSITORY and the Actions event file (GITHUB_EVENT_PATH).
import { readFileSync } from "node:fs";
import { PlumbError } from "../errors.js";
import type { PullRef } from "./forge.js";

export const DEFAULT_API_URL = "https://api.github.com";

export interface GithubContext {
  readonly token: string;
  readonly baseUrl: string;
  readonly pr: PullRef;
}

interface EventFile {
  readonly number?: number;
  readonly pull_request?: { readonly number?: number };
  readonly issue?: { readonly number?: number; readonly pull_request?: unknown };
  readonly repository?: { readonly full_name?: string };
}

function readEvent(path: string | undefined): EventFile {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as EventFile;
  } catch (e) {
    throw new PlumbError(
      "PLB946",
      `cannot read the Actions event file ${path}: ${(e as Error).message}`,
    );
  }
}

export function githubContext(
  env: NodeJS.ProcessEnv,
  options: { repo?: string | undefined; pr?: string | undefined },
): GithubContext {
  const token = env.GITHUB_TOKEN;
  if (!token)
    throw new PlumbError("PLB946", "GITHUB_TOKEN is not set", {
      hint: "in a workflow, pass the job token in the GITHUB_TOKEN environment variable (permissions: pull-requests: write)",
    });
  const event = readEvent(env.GITHUB_EVENT_PATH);
  const full = options.repo ?? env.GITHUB_REPOSITORY ?? event.repository?.full_name;
  const m = full ? /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full) : null;
  if (!m)
    throw new PlumbError("PLB946", full ? `'${full}' is not owner/name` : "no repository given", {
      hint: "pass --repo owner/name (or run in GitHub Actions: GITHUB_REPOSITORY)",
    });
  const raw = options.pr ?? event.pull_request?.number ?? event.issue?.number ?? event.number;
  const number = Number(raw);
  if (!Number.isSafeInteger(number) || number <= 0)
    throw new PlumbError(
      "PLB946",
      raw === undefined ? "no pull request number given" : `'${raw}' is not a PR number`,
      {
        hint: "pass --pr <number> (or run on a pull_request event: GITHUB_EVENT_PATH)",
      },
    );
  const baseUrl = env.GITHUB_API_URL || DEFAULT_API_URL;
  if (!/^https?:\/\//.test(baseUrl))
    throw new PlumbError("PLB946", `GITHUB_API_URL '${baseUrl}' is not an http(s) URL`);
  return { token, baseUrl, pr: { owner: m[1] as string, repo: m[2] as string, number } };
}
