import { shareInstanceof } from "../language/errors.ts";

/** The expanded URL is not one fetch() could send (not absolute, or not a URL at all). */
export class InvalidUrlError extends TypeError {
  override readonly name = "InvalidUrlError";
}
shareInstanceof(InvalidUrlError, "InvalidUrlError");
