import { userInfo } from 'node:os';

/** Who runs the command, for the audit trail: $USER, else the login name of the process (containers often leave USER unset), else `modelctl`. */
export function defaultActor(): string {
  if (process.env.USER) return process.env.USER;
  try {
    return userInfo().username || 'modelctl';
  } catch {
    return 'modelctl';
  }
}
