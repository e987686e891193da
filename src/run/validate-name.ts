/** Run display names: at most 200 characters, none that hide or spoof text. */

import { InvalidValueError } from "../errors.ts";

export const MAX_NAME_LENGTH = 200;

const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]/;

export function validateName(name: unknown): string {
  if (typeof name !== "string") {
    throw new InvalidValueError("The run name must be a string.", "sys/name");
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidValueError(
      `The run name is ${name.length} characters long; it must be at most ${MAX_NAME_LENGTH}.`,
      "sys/name",
    );
  }
  if (FORBIDDEN.test(name)) {
    throw new InvalidValueError(
      "The run name must not contain control, bidirectional-override or zero-width characters.",
      "sys/name",
    );
  }
  return name;
}
