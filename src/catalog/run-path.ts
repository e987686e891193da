/**
 * The run file for a project and run id from a URL, or undefined when the names could
 * leave the served directory (`..`, absolute paths, backslashes, NUL). A project or
 * run id that could point outside the served directory is never a file access.
 */

import { resolve, sep } from "node:path";
import { projectProblem } from "../settings/home-layout.ts";

export function runFilePath(root: string, project: string, runId: string): string | undefined {
  const badRun = runId === "." || runId === ".." || /[\\/\u0000]/.test(runId);
  if (badRun || projectProblem(project) !== undefined) return undefined;
  const base = resolve(root);
  const file = resolve(base, ...project.split("/"), "runs", `${runId}.sqlite`);
  return file.startsWith(base + sep) ? file : undefined;
}
