// The host's secrets, read by name so that a template never holds a key.
import { quoteName } from "../errors.ts";
import { type Method, MethodFailure } from "../method.ts";

export const secretMethods: readonly Method[] = [
  {
    name: "getSecret",
    params: [{ name: "name", accepts: ["text"], literal: true, isName: true }],
    input: "start",
    output: "text",
    reveals: true,
    summary: "The value of a secret the host supplies by name (options.secrets), never written in the template.",
    example: `hash.append("data").encodeHmacSha256(hash.getSecret("api_key")).encodeBase64()`,
    run: (_input, [name], context) => {
      const value = context.secret(name as string);
      if (value === undefined) {
        throw new MethodFailure(
          "MISSING_SECRET",
          `secret ${quoteName(name as string)} is not set`,
          "the host supplies secrets by name (options.secrets); set this one there",
        );
      }
      return value;
    },
  },
];
