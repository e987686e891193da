/**
 * The `source_code/` configs of a new run (FORMAT.md §9): what git says of the
 * repository around the working directory (or `GitRef.repositoryPath`). Each key is
 * written only when its command succeeds; outside a repository, or without git,
 * nothing is written and nothing fails. Every command has a timeout.
 */

import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ConfigEntry } from "../values/flatten.ts";

const TIMEOUT_MS = 5000;

function git(cwd: string, args: string[]): string | undefined {
  try {
    const result = Bun.spawnSync(["git", ...args], {
      cwd,
      stdout: "pipe",
      stderr: "ignore",
      stdin: "ignore",
      timeout: TIMEOUT_MS,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
    });
    if (result.exitCode !== 0) return undefined;
    return result.stdout.toString().replace(/\n+$/, "");
  } catch {
    return undefined;
  }
}

function startDirectory(repositoryPath: string | undefined): string | undefined {
  const start = resolve(repositoryPath ?? process.cwd());
  const stats = statSync(start, { throwIfNoEntry: false });
  if (!stats) return undefined;
  return stats.isFile() ? dirname(start) : start;
}

/** Reads the git configs; an empty list outside a repository. */
export function collectGitConfigs(repositoryPath: string | undefined): ConfigEntry[] {
  if (!Bun.which("git")) return [];
  const start = startDirectory(repositoryPath);
  if (start === undefined) return [];
  const root = git(start, ["rev-parse", "--show-toplevel"]);
  if (!root) return [];
  const entries: ConfigEntry[] = [
    { path: "source_code/git/repository_path", tag: "str", text: root },
  ];
  const text = (path: string, value: string | undefined) => {
    if (value) entries.push({ path, tag: "str", text: value });
  };
  const status = git(root, ["status", "--porcelain"]);
  if (status !== undefined) {
    entries.push({
      path: "source_code/git/dirty",
      tag: "bool",
      text: status.trim() === "" ? "false" : "true",
    });
  }
  const diff = git(root, ["diff", "HEAD"]);
  if (diff !== undefined) entries.push({ path: "source_code/diff", tag: "str", text: diff });
  // One `git log` for the four commit fields, NUL-separated; the message (last) may hold anything.
  const commit = git(root, ["log", "-1", "--pretty=format:%H%x00%an%x00%cI%x00%B"]);
  if (commit !== undefined) {
    const [id, author, date, ...message] = commit.split("\u0000");
    text("source_code/git/commit_id", id);
    text("source_code/git/commit_message", message.join("\u0000").replace(/\n+$/, ""));
    text("source_code/git/commit_author", author);
    text("source_code/git/commit_date", date);
  }
  text("source_code/git/current_branch", git(root, ["rev-parse", "--abbrev-ref", "HEAD"]));
  text("source_code/git/remotes", git(root, ["remote", "-v"]));
  const upstream = git(root, ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"]);
  if (upstream) {
    const head = git(root, ["rev-parse", "HEAD"]);
    const upstreamSha = git(root, ["rev-parse", "@{u}"]);
    if (head && upstreamSha && head !== upstreamSha) {
      const upstreamDiff = git(root, ["diff", "@{u}"]);
      if (upstreamDiff !== undefined) {
        entries.push({
          path: `source_code/diff_upstream_${upstreamSha}`,
          tag: "str",
          text: upstreamDiff,
        });
      }
    }
  }
  return entries;
}
