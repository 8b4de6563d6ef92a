// Echoing what a client sent back in an error, bounded: at most a few names, each clipped, then a
// count. A request with 100,000 unknown feature names gets a short answer, not one bigger than the
// request.

/** Names listed in one error before "and N more". */
export const MAX_LISTED = 10;
/** Characters of one echoed name. */
export const MAX_NAME_CHARS = 64;

export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The first `max` names, each clipped to MAX_NAME_CHARS. */
export function boundedNames(names: readonly string[], max = MAX_LISTED): string[] {
  return names.slice(0, max).map((n) => clipText(n, MAX_NAME_CHARS));
}

/** "a, b, c" or "a, b, c and 1234 more". */
export function listText(names: readonly string[], max = MAX_LISTED): string {
  const shown = boundedNames(names, max).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
