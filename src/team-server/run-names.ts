/**
 * How the team server's runs appear in the local JSON API: a project is named
 * `workspace/project`, except that the projects of the home workspace without a `/`
 * keep their bare name, as they do on disk (`default`), so that a run uploaded from a
 * machine keeps the project name it had there.
 */

export function displayProject(home: string, workspace: string, project: string): string {
  return workspace === home && !project.includes("/") ? project : `${workspace}/${project}`;
}

export function parseProject(
  home: string,
  display: string,
): { workspace: string; project: string } {
  const slash = display.indexOf("/");
  if (slash < 0) return { workspace: home, project: display };
  return { workspace: display.slice(0, slash), project: display.slice(slash + 1) };
}
