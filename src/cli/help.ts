/**
 * The help texts of the command line, kept apart from the commands so that printing
 * one does not load the command (the server, the uploader, the prompts).
 */

import { DEFAULT_API_URL } from "../settings/settings.ts";

export const MAIN_HELP = `Usage: goodseed [command] [options]

A local-first experiment tracker: every run is one SQLite file.

Commands:
  serve [dir]     serve the runs over HTTP (the default command)
  list [dir]      list the projects, or the runs of one with -p
  init            write the defaults (project, storage, API key) to the config file
  upload -p <p>   upload what the runs of a project have not uploaded yet
  server          the team server (PostgreSQL or embedded); 'server keys' manages API keys

Options:
  -h, --help      show help (also: goodseed <command> --help)
  -V, --version   print the version
`;

export const SERVE_HELP = `Usage: goodseed serve [dir] [--port <port>] [--host <host>] [--cors-origin <origin>]

Serves the runs under <dir> (default: $GOODSEED_HOME/projects) over the local HTTP API
of goodseed, while training processes keep writing them.

Options:
  -p, --port <port>   port to listen on (0 picks a free one)   [default: 8765]
      --host <host>   address to bind (IPv6 with or without brackets: ::1, [::1]);
                      anything but loopback exposes the API,
                      which has no authentication             [default: 127.0.0.1]
      --cors-origin <origin>
                      let pages of this origin call the API (repeatable; '*' for
                      any); loopback origins and GOODSEED_APP_URL's always may
  -h, --help          show this help
`;

export const LIST_HELP = `Usage: goodseed list [dir] [-p <project>] [--json]

Lists the projects under <dir> (default: $GOODSEED_HOME/projects), or with --project
the runs of one project: run id, name, status, creation time and number of metric series.

Options:
  -p, --project <name>   list the runs of this project
      --json             print JSON for scripts instead of a table
  -h, --help             show this help
`;

export const INIT_HELP = `Usage: goodseed init [--project <name>] [--storage local|cloud]
                     [--api-url <url>] [--api-key <key>] [--yes]

Writes $GOODSEED_HOME/config.json (mode 0600) with the defaults that new Run() and
the CLI use: the project, the storage mode and, for cloud storage, the API URL and key.
In a terminal it asks for what the flags do not give; without one it never asks.

Options:
      --project <name>     default project for new runs          [default: default]
      --storage <mode>     local or cloud                        [default: local]
      --api-url <url>      remote API, for cloud storage         [default: ${DEFAULT_API_URL}]
      --api-key <key>      API key, for cloud storage (checked against the API)
  -y, --yes                accept the defaults instead of asking
  -h, --help               show this help
`;

export const UPLOAD_HELP = `Usage: goodseed upload -p <workspace/project> [--run-id <id>] [--api-key <key>] [--all]

Uploads to the goodseed API what the runs of a project have not uploaded yet: runs
logged with local storage, or runs whose process stopped before its upload finished.
A project without a workspace is uploaded to your default workspace.

Options:
  -p, --project <name>   the project whose runs to upload (required)
  -r, --run-id <id>      upload only this run
      --api-key <key>    API key                          [default: $GOODSEED_API_KEY]
      --all              send everything again, also what was uploaded before (to
                         another server, or one whose database was reset)
  -h, --help             show this help
`;

export const SERVER_HELP = `Usage: goodseed server [--database <url>] [--host <host>] [--port <port>]
       goodseed server keys create --workspace <ws> [--workspace <ws2>] --name <name> [--role owner|member|viewer]
       goodseed server keys list
       goodseed server keys revoke <key id>

The team server: the remote protocol (GOODSEED_API_URL of training machines), the web
UI and the JSON API of 'goodseed serve', over every uploaded run.

Options:
      --database <url>         postgres://user@host/db, or sqlite:///path
                               [default: $GOODSEED_DATABASE_URL, else an embedded SQLite
                               file under $GOODSEED_HOME/server]
      --host <host>            address to listen on              [default: 127.0.0.1]
  -p, --port <port>            port                              [default: 8765]
      --home-workspace <ws>    workspace whose projects keep bare names in the UI
                                                                 [default: default]
      --public-url <url>       an address the server is reached at (its name is accepted
                               as Host; pages there may call the API); repeatable
      --no-create-projects     answer 404 Project.NotFound for projects that do not exist
      --quiet                  no request log on stderr
      --max-in-flight <n>      requests handled at once; more are answered 503 with
                               Retry-After                       [default: 64]
      --rate-limit <n>         requests a second per API key, counted by this process
                               (N servers let a key through N times); more are answered
                               429 with Retry-After; 0: no limit [default: 1000]
      --json                   (keys) print JSON
  -h, --help                   show this help
`;

export const HELP: Record<string, string> = {
  server: SERVER_HELP,
  serve: SERVE_HELP,
  list: LIST_HELP,
  init: INIT_HELP,
  upload: UPLOAD_HELP,
};
