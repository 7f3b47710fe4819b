/** The password policy the server enforces, checked as the admin types. */

export const MIN_PASSWORD_LENGTH = 12;

/** What is wrong with a password, or undefined when the policy accepts it. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `At least ${MIN_PASSWORD_LENGTH} characters (now ${password.length}).`;
  if (username && password.toLowerCase() === username.toLowerCase()) return "Must not be the username.";
  return undefined;
}
