/** Errors that become an HTTP status and the JSON body `{"error": message}`. */

export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HttpError";
    this.status = status;
  }
}

export const notFound = (): HttpError => new HttpError(404, "Not found");

export const runNotFound = (project: string, runId: string): HttpError =>
  new HttpError(404, `Run not found: ${project}/${runId}`);
