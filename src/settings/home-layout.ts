/** Where run files live, and the checks that keep a project or run id inside that place. */

import { isAbsolute, join } from "node:path";
import { InvalidOptionError } from "../errors.ts";

const RUN_ID_PATTERN = /^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$/;
export const MAX_RUN_ID_LENGTH = 128;

/**
 * A project is a relative path of one or more names (`acme/vision`). Rejects what
 * could leave the projects directory: absolute paths, `.` and `..` segments, empty
 * segments, backslashes and control characters.
 */
export function validateProject(project: string): string {
  const problem = projectProblem(project);
  if (problem) {
    throw new InvalidOptionError(
      `Project ${JSON.stringify(project)} ${problem}. Use names joined by '/', such as 'acme/vision'.`,
    );
  }
  return project;
}

export function projectProblem(project: string): string | undefined {
  if (project === "") return "is empty";
  if (isAbsolute(project) || project.startsWith("/")) return "is an absolute path";
  if (/[\u0000-\u001f\u007f\\]/.test(project)) return "contains a backslash or a control character";
  for (const segment of project.split("/")) {
    if (segment === "") return "has an empty segment";
    if (segment === "." || segment === "..") return `has a '${segment}' segment`;
    // Each segment is a folder name: file systems take at most 255 bytes.
    if (Buffer.byteLength(segment) > 255)
      return `has a segment of ${Buffer.byteLength(segment)} bytes; folder names take at most 255`;
  }
  return undefined;
}

/** Validates an explicit run id as the Python client does (letters, digits, `_`, `-`). */
export function validateRunId(runId: string): string {
  if (runId.length > MAX_RUN_ID_LENGTH) {
    throw new InvalidOptionError(
      `Run id is ${runId.length} characters long; it must be at most ${MAX_RUN_ID_LENGTH}.`,
    );
  }
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new InvalidOptionError(
      `Run id ${JSON.stringify(runId)} must contain only letters, digits, '-' and '_', and start and end with a letter or digit.`,
    );
  }
  return runId;
}

export function projectsDir(home: string): string {
  return join(home, "projects");
}

/** The directory that holds a project's run files: `<home>/projects/<project>/runs`. */
export function runsDir(home: string, project: string): string {
  return join(projectsDir(home), ...project.split("/"), "runs");
}

export function runFile(dir: string, runId: string): string {
  return join(dir, `${runId}.sqlite`);
}
