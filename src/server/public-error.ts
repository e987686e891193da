/**
 * What an error may say in an answer: never where things lie on this machine. A
 * file system error names the absolute path it failed on (`ENOENT: no such file or
 * directory, stat '/home/ann/.goodseed/projects/p/runs/r.sqlite'`); a page that can
 * call the server must not learn the user's name or layout from it.
 */

/** Quoted absolute paths, POSIX or Windows, as Node and Bun put them in messages. */
const QUOTED_PATH = /(['"])((?:\/|[A-Za-z]:\\)[^'"]*)\1/g;

/** `message` with every quoted absolute path cut to its last name. */
export function publicMessage(message: string): string {
  return message.replace(QUOTED_PATH, (_match, quote: string, path: string) => {
    return `${quote}${path.split(/[\\/]/).pop() ?? ""}${quote}`;
  });
}
