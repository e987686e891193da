import { describe, expect, it } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configOf, readRunFile } from "../helpers/run-file.ts";
import { runScript } from "../helpers/scripts.ts";
import { tempDir } from "../helpers/temp-dir.ts";

function git(cwd: string, ...args: string[]): string {
  const result = Bun.spawnSync(["git", ...args], {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Fixture Author",
      GIT_AUTHOR_EMAIL: "a@example.com",
      GIT_COMMITTER_NAME: "Fixture Author",
      GIT_COMMITTER_EMAIL: "a@example.com",
      GIT_AUTHOR_DATE: "2024-05-07T10:11:12+00:00",
      GIT_COMMITTER_DATE: "2024-05-07T10:11:12+00:00",
    },
  });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr.toString()}`);
  return result.stdout.toString().replace(/\n+$/, "");
}

/** A repository one commit ahead of its upstream, with a modified tracked file. */
function makeRepository(root: string): { repo: string; origin: string } {
  mkdirSync(root, { recursive: true });
  const origin = join(root, "origin.git");
  const repo = join(root, "repo");
  git(root, "init", "--bare", "-b", "main", origin);
  git(root, "clone", "-q", origin, repo);
  git(repo, "checkout", "-q", "-b", "main");
  writeFileSync(join(repo, "train.py"), "print('training')\n");
  git(repo, "add", "train.py");
  git(repo, "commit", "-q", "-m", "First commit");
  git(repo, "push", "-q", "-u", "origin", "main");
  writeFileSync(join(repo, "train.py"), "print('training')\nprint('v2')\n");
  git(repo, "commit", "-q", "-am", "Second commit\n\nBody line.");
  writeFileSync(join(repo, "train.py"), "print('training')\nprint('v2')\nprint('dirty')\n");
  return { repo, origin };
}

async function sourceConfigs(home: string, gitRef: string) {
  const result = await runScript(
    `const run = new Run({ runId: "src", captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: ${gitRef} });
await run.close();`,
    { home },
  );
  expect(result.exitCode).toBe(0);
  const contents = readRunFile(join(home, "projects/default/runs/src.sqlite"));
  return {
    contents,
    source: contents.configs.filter((row) => row.path.startsWith("source_code/")),
  };
}

describe("source code", () => {
  it("records the repository, its dirty state, diffs, commit, branch and remotes", async () => {
    await using dir = tempDir();
    const { repo, origin } = makeRepository(dir.path);
    const { contents, source } = await sourceConfigs(
      join(dir.path, "home"),
      `new GitRef({ repositoryPath: ${JSON.stringify(join(repo, "train.py"))} })`,
    );
    const upstream = git(repo, "rev-parse", "@{u}");
    const value = (path: string) => configOf(contents, path)?.value;
    expect(value("source_code/git/repository_path")).toBe(
      git(repo, "rev-parse", "--show-toplevel"),
    );
    expect(configOf(contents, "source_code/git/dirty")).toMatchObject({
      type_tag: "bool",
      value: "true",
    });
    expect(value("source_code/diff")).toBe(git(repo, "diff", "HEAD"));
    expect(value("source_code/diff")).toContain("+print('dirty')");
    expect(value("source_code/git/commit_id")).toBe(git(repo, "rev-parse", "HEAD"));
    expect(value("source_code/git/commit_message")).toBe("Second commit\n\nBody line.");
    expect(value("source_code/git/commit_author")).toBe("Fixture Author");
    expect(value("source_code/git/commit_date")).toBe("2024-05-07T10:11:12+00:00");
    expect(value("source_code/git/current_branch")).toBe("main");
    expect(value("source_code/git/remotes")).toBe(
      `origin\t${origin} (fetch)\norigin\t${origin} (push)`,
    );
    expect(value(`source_code/diff_upstream_${upstream}`)).toBe(git(repo, "diff", "@{u}"));
    // One call, after the sys/ configs and before the monitoring ones.
    expect(new Set(source.map((row) => row.updated_at)).size).toBe(1);
    const order = contents.configs.map((row) => row.path);
    expect(order.indexOf("source_code/git/repository_path")).toBeGreaterThan(
      order.indexOf("sys/id"),
    );
    expect(order.indexOf("source_code/git/repository_path")).toBeLessThan(
      order.findIndex((path) => path.endsWith("/hostname")),
    );
  });

  it("records a clean repository in step with its upstream without the upstream diff", async () => {
    await using dir = tempDir();
    const { repo } = makeRepository(dir.path);
    git(repo, "checkout", "-q", "train.py");
    git(repo, "push", "-q");
    const { contents, source } = await sourceConfigs(
      join(dir.path, "home"),
      `new GitRef({ repositoryPath: ${JSON.stringify(repo)} })`,
    );
    expect(configOf(contents, "source_code/git/dirty")?.value).toBe("false");
    expect(configOf(contents, "source_code/diff")?.value).toBe("");
    expect(source.some((row) => row.path.startsWith("source_code/diff_upstream_"))).toBe(false);
  });

  it("records nothing, and does not fail, outside a repository or when turned off", async () => {
    await using dir = tempDir();
    const outside = await sourceConfigs(join(dir.path, "a"), "undefined");
    expect(outside.source).toEqual([]);
    const { repo } = makeRepository(join(dir.path, "r"));
    for (const off of ["false", "GitRef.DISABLED"]) {
      await using home = tempDir();
      const result = await runScript(
        `process.chdir(${JSON.stringify(repo)});
const run = new Run({ runId: "src", captureStdout: false, captureStderr: false, captureHardwareMetrics: false, gitRef: ${off} });
await run.close();`,
        { home: home.path },
      );
      expect(result.exitCode).toBe(0);
      const contents = readRunFile(join(home.path, "projects/default/runs/src.sqlite"));
      expect(contents.configs.filter((row) => row.path.startsWith("source_code/"))).toEqual([]);
    }
  });

  it("uses the working directory's repository by default", async () => {
    await using dir = tempDir();
    const { repo } = makeRepository(dir.path);
    await using home = tempDir();
    const result = await runScript(
      `process.chdir(${JSON.stringify(join(repo))});
const run = new Run({ runId: "src", captureStdout: false, captureStderr: false, captureHardwareMetrics: false });
await run.close();`,
      { home: home.path },
    );
    expect(result.exitCode).toBe(0);
    const contents = readRunFile(join(home.path, "projects/default/runs/src.sqlite"));
    expect(configOf(contents, "source_code/git/commit_id")?.value).toBe(
      git(repo, "rev-parse", "HEAD"),
    );
  });
});
