// Keeps one (multi-part) plumb comment per estate on a pull request: finds our earlier parts by
// their hidden marker — only those written by our own account, so a marker pasted by a PR author
// is never touched or trusted — updates them in order, creates missing parts, deletes surplus ones.
import type { ForgeComment, ForgeDriver, PullRef } from "./forge.js";

export interface StickyResult {
  readonly created: number[];
  readonly updated: number[];
  readonly deleted: number[];
  readonly unchanged: number[];
}

/** GITHUB_TOKEN in Actions cannot read its own user; its comments are by this login. */
export const ACTIONS_BOT = "github-actions[bot]";

export type MarkerParser = (body: string) => { estate: string; part: number } | undefined;

export function ourParts(
  comments: readonly ForgeComment[],
  estate: string,
  login: string,
  parse: MarkerParser,
): ForgeComment[] {
  return comments
    .filter((c) => c.login === login && parse(c.body)?.estate === estate)
    .sort((a, b) => (parse(a.body)?.part ?? 0) - (parse(b.body)?.part ?? 0) || a.id - b.id);
}

export async function syncStickyComment(
  forge: ForgeDriver,
  pr: PullRef,
  estate: string,
  parts: readonly string[],
  parse: MarkerParser,
  login?: string,
): Promise<StickyResult> {
  const me = login ?? (await forge.whoami()) ?? ACTIONS_BOT;
  const existing = ourParts(await forge.listComments(pr), estate, me, parse);
  const result: StickyResult = { created: [], updated: [], deleted: [], unchanged: [] };
  // Part i goes into the i-th existing comment: creation order is display order on GitHub,
  // so parts appended later still read in order.
  for (let i = 0; i < parts.length; i++) {
    const body = parts[i] as string;
    const old = existing[i];
    if (old === undefined) result.created.push((await forge.createComment(pr, body)).id);
    else if (old.body === body) result.unchanged.push(old.id);
    else {
      await forge.updateComment(pr, old.id, body);
      result.updated.push(old.id);
    }
  }
  for (const old of existing.slice(parts.length)) {
    await forge.deleteComment(pr, old.id);
    result.deleted.push(old.id);
  }
  return result;
}
