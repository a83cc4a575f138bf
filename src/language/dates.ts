import { quoteName } from "./errors.ts";

/**
 * A subset of the date patterns of Java's SimpleDateFormat (what Klipfolio users know), always
 * in UTC and in English: enough for AWS's yyyyMMdd'T'HHmmss'Z' and the HTTP-date of RFC 9110
 * §5.6.7, EEE, dd MMM yyyy HH:mm:ss 'GMT'.
 */
const FIELDS: Record<string, (d: Date) => string> = {
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, "0"),
  MM: (d) => pad(d.getUTCMonth() + 1),
  dd: (d) => pad(d.getUTCDate()),
  HH: (d) => pad(d.getUTCHours()),
  mm: (d) => pad(d.getUTCMinutes()),
  ss: (d) => pad(d.getUTCSeconds()),
  SSS: (d) => String(d.getUTCMilliseconds()).padStart(3, "0"),
  EEE: (d) => DAYS[d.getUTCDay()] as string,
  MMM: (d) => MONTHS[d.getUTCMonth()] as string,
};
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

type Part = string | ((d: Date) => string);

/** The pattern split into literal text and fields, or a description of what is wrong with it. */
export function compilePattern(pattern: string): Part[] | string {
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "'") {
      // 'text' is literal; '' is one quote, inside or outside a quoted part.
      if (pattern[i + 1] === "'") {
        parts.push("'");
        i += 2;
        continue;
      }
      let text = "";
      let j = i + 1;
      for (; j < pattern.length; j++) {
        if (pattern[j] === "'" && pattern[j + 1] === "'") {
          text += "'";
          j++;
        } else if (pattern[j] === "'") break;
        else text += pattern[j];
      }
      if (j >= pattern.length) return "a quoted part of the pattern is never closed";
      parts.push(text);
      i = j + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      const field = FIELDS[pattern.slice(i, j)];
      if (!field) {
        return `${quoteName(pattern.slice(i, j))} is not a supported field: use yyyy MM dd HH mm ss SSS EEE MMM, and quote letters meant literally ('T')`;
      }
      parts.push(field);
      i = j;
    } else {
      parts.push(ch);
      i++;
    }
  }
  return parts;
}

export function formatDate(parts: readonly Part[], date: Date): string {
  let out = "";
  for (const part of parts) out += typeof part === "string" ? part : part(date);
  return out;
}
