/**
 * The `goodseed` command line: `serve` (also with no command), `list`, and the help
 * and version of each. Exit codes: 0 success, 1 failure, 2 bad usage.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import packageJson from "../../package.json" with { type: "json" };
import { projectProblem } from "../settings/home-layout.ts";
import { type CliContext, homeOf, processContext, UsageError } from "./context.ts";
import { errorLine } from "./error-line.ts";
import { HELP, MAIN_HELP } from "./help.ts";

declare const GOODSEED_VERSION: string | undefined;

export const VERSION: string =
  typeof GOODSEED_VERSION === "string" ? GOODSEED_VERSION : packageJson.version;

type Parsed = ReturnType<typeof parseArgs>;

function parse(
  args: string[],
  options: NonNullable<Parameters<typeof parseArgs>[0]>["options"],
): Parsed {
  try {
    return parseArgs({
      args,
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function oneDir(context: CliContext, positionals: string[]): string {
  if (positionals.length > 1)
    throw new UsageError(`expected at most one directory, got ${positionals.length}`);
  return positionals[0] ?? join(homeOf(context), "projects");
}

async function dispatch(context: CliContext, command: string, args: string[]): Promise<number> {
  switch (command) {
    case "serve": {
      const { values, positionals } = parse(args, {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        "cors-origin": { type: "string", multiple: true },
      });
      if (values.help) return help(context, "serve");
      // Each command is loaded when it runs: `--version` and `list` need no web server.
      const { parseHost, parsePort, serveCommand } = await import("./serve.ts");
      return await serveCommand(context, {
        dir: oneDir(context, positionals),
        dirGiven: positionals.length > 0,
        port: parsePort((values.port as string | undefined) ?? "8765"),
        host: parseHost((values.host as string | undefined) ?? "127.0.0.1"),
        corsOrigins: (values["cors-origin"] as string[] | undefined) ?? [],
      });
    }
    case "list": {
      const { values, positionals } = parse(args, {
        project: { type: "string", short: "p" },
        json: { type: "boolean" },
      });
      if (values.help) return help(context, "list");
      const problem =
        typeof values.project === "string" ? projectProblem(values.project) : undefined;
      if (problem) throw new UsageError(`--project ${problem}`);
      const { listCommand } = await import("./list.ts");
      return await listCommand(context, {
        dir: oneDir(context, positionals),
        dirGiven: positionals.length > 0,
        project: values.project as string | undefined,
        json: Boolean(values.json),
      });
    }
    case "upload": {
      const { values, positionals } = parse(args, {
        project: { type: "string", short: "p" },
        "run-id": { type: "string", short: "r" },
        "api-key": { type: "string" },
        all: { type: "boolean" },
      });
      if (values.help) return help(context, "upload");
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const { uploadCommand } = await import("./upload.ts");
      return await uploadCommand(context, {
        project: values.project as string | undefined,
        runId: values["run-id"] as string | undefined,
        apiKey: values["api-key"] as string | undefined,
        all: Boolean(values.all),
      });
    }
    case "init": {
      const { values, positionals } = parse(args, {
        project: { type: "string" },
        storage: { type: "string" },
        "api-url": { type: "string" },
        "api-key": { type: "string" },
        yes: { type: "boolean", short: "y" },
      });
      if (values.help) return help(context, "init");
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const { initCommand } = await import("./init.ts");
      return await initCommand(context, {
        project: values.project as string | undefined,
        storage: values.storage as string | undefined,
        apiUrl: values["api-url"] as string | undefined,
        apiKey: values["api-key"] as string | undefined,
        yes: Boolean(values.yes),
      });
    }
    case "server": {
      const { values, positionals } = parse(args, {
        database: { type: "string" },
        host: { type: "string" },
        port: { type: "string", short: "p" },
        "home-workspace": { type: "string" },
        "no-create-projects": { type: "boolean" },
        quiet: { type: "boolean" },
        "max-in-flight": { type: "string" },
        "rate-limit": { type: "string" },
        "public-url": { type: "string", multiple: true },
        workspace: { type: "string", multiple: true },
        name: { type: "string" },
        role: { type: "string" },
        json: { type: "boolean" },
      });
      if (values.help) return help(context, "server");
      if (positionals[0] === "keys") {
        const { keysCommand } = await import("./server.ts");
        return await keysCommand(context, {
          action: positionals[1],
          database: values.database as string | undefined,
          workspaces: (values.workspace as string[] | undefined) ?? [],
          name: values.name as string | undefined,
          role: values.role as string | undefined,
          target: positionals[2],
          json: Boolean(values.json),
        });
      }
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const { parsePort } = await import("./serve.ts");
      const { parseMaxInFlight, parseRateLimit, serverCommand } = await import("./server.ts");
      const { DEFAULT_RATE_LIMIT } = await import("../team-server/rate-limit.ts");
      return await serverCommand(context, {
        database: values.database as string | undefined,
        host: (values.host as string | undefined) ?? "127.0.0.1",
        port: parsePort((values.port as string | undefined) ?? "8765"),
        homeWorkspace: (values["home-workspace"] as string | undefined) ?? "default",
        createProjects: !values["no-create-projects"],
        quiet: Boolean(values.quiet),
        maxInFlight: parseMaxInFlight(values["max-in-flight"] as string | undefined),
        rateLimit: parseRateLimit(values["rate-limit"] as string | undefined, DEFAULT_RATE_LIMIT),
        publicUrls: (values["public-url"] as string[] | undefined) ?? [],
      });
    }
    default:
      throw new UsageError(
        statSync(command, { throwIfNoEntry: false })?.isDirectory()
          ? `unknown command '${command}'; to serve that directory: goodseed serve ${command}`
          : `unknown command '${command}'`,
      );
  }
}

function help(context: CliContext, command?: string): number {
  context.stdout(command ? (HELP[command] ?? MAIN_HELP) : MAIN_HELP);
  return 0;
}

/** Runs the CLI with `argv` (without the executable and script) and returns the exit code. */
export async function main(
  argv: string[],
  context: CliContext = processContext(),
): Promise<number> {
  const [first, ...rest] = argv;
  let command = "serve";
  let args = argv;
  if (argv.includes("--version") || argv.includes("-V")) {
    context.stdout(`goodseed ${VERSION}\n`);
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help")
    return help(context, first === "help" ? rest[0] : undefined);
  if (first !== undefined && !first.startsWith("-")) {
    command = first;
    args = rest;
  }
  try {
    return await dispatch(context, command, args);
  } catch (error) {
    if (error instanceof UsageError) {
      const usage = usageOf(HELP[command] ?? MAIN_HELP);
      const more = HELP[command] ? `goodseed ${command} --help` : "goodseed --help";
      context.stderr(`${errorLine(error.message)}${usage}\nSee '${more}' for the options.\n`);
      return 2;
    }
    context.stderr(errorLine(error instanceof Error ? error.message : String(error)));
    return 1;
  }
}

/** The `Usage:` lines at the top of a help text (up to its first blank line). */
function usageOf(help: string): string {
  const end = help.indexOf("\n\n");
  return `${end < 0 ? help : help.slice(0, end)}\n`;
}
