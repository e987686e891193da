/**
 * Errors of the team server's remote API, answered as the goodseed API does:
 * `{"error_code", "title", "detail"}` with the status (FORMAT.md §12), plus `error`
 * (the local API's key) so that every client finds a message.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterS: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterS = options?.retryAfterS;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError || (error instanceof Error && error.name === "ApiError");
}

export const unauthorized = (detail = "a valid API key is required: Authorization: Bearer <key>") =>
  new ApiError(401, "Auth.Unauthorized", detail);

export const badRequest = (code: string, detail: string) => new ApiError(400, code, detail);

export function apiErrorBody(error: ApiError): string {
  const title = error.code.replace(/\./g, " ");
  return JSON.stringify({
    error_code: error.code,
    title,
    detail: error.message,
    error: error.message,
  });
}
