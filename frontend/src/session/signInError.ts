/** What a failed sign-in tells the user: wrong credentials, a lockout with its end, or the problem. */
import type { ApiError } from "../api/problem";

/** "3 minutes", "40 seconds": how long a lockout still lasts. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

function clock(at: Date): string {
  return at.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export interface SignInMessage {
  header: string;
  text: string;
}

export function signInMessage(error: ApiError, now: Date = new Date()): SignInMessage {
  if (error.status === 401) {
    return { header: "Sign-in failed", text: "The username or password is not right. Check both and try again." };
  }
  if (error.status === 429) {
    const seconds = error.problem.retryAfter;
    const when = seconds === undefined ? "later" : `in ${waitText(seconds)} (at ${clock(new Date(now.getTime() + seconds * 1000))})`;
    return { header: "Sign-in locked", text: `Too many failed sign-ins. Try again ${when}.` };
  }
  return { header: error.problem.title, text: error.problem.detail };
}
