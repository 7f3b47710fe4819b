/** A drill's cleanup hold: minutes after the end (0 = at once) or "keep" (until an operator asks). */

export type CleanupAfter = number | "keep";

/** The API's bounds for the hold, in minutes (a week). */
export const MAX_CLEANUP_MINUTES = 10080;

/** The hold in words, e.g. for "as the plan says (...)". */
export function describeCleanup(value: CleanupAfter): string {
  if (value === "keep") return "keep the instances until an operator cleans up";
  if (value === 0) return "clean up at once";
  return `clean up ${value} minute(s) after the end`;
}

/** Minutes typed in the field: a number within the bounds, or an error message. */
export function parseMinutes(text: string): number | string {
  const trimmed = text.trim();
  if (trimmed === "") return "Enter the minutes (0: at once)";
  const minutes = Number(trimmed);
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > MAX_CLEANUP_MINUTES) {
    return `Enter 0 to ${MAX_CLEANUP_MINUTES} minutes`;
  }
  return minutes;
}
