import { z } from 'zod';
import semver from 'semver';

/** A strict semantic version (semver.org 2.0.0), e.g. `1.4.2` or `2.0.0-rc.1`; no leading `v`. */
export const SemVer = z.string({ error: 'expected a semantic version string' }).refine((s) => semver.valid(s) === s, {
  message: 'must be a semantic version like 1.4.2 (MAJOR.MINOR.PATCH[-prerelease])',
});
export type SemVer = z.infer<typeof SemVer>;

/** How to derive the next version from the highest existing one. */
export const VersionBump = z.enum(['major', 'minor', 'patch'], { error: 'must be one of major, minor, patch' });
export type VersionBump = z.infer<typeof VersionBump>;

/** The first version of a new model when none is given. */
export const FIRST_VERSION = '1.0.0';

/** Semver precedence: negative when a < b, 0 when equal, positive when a > b (`1.10.0` > `1.9.0`; `1.0.0-rc.1` < `1.0.0`). */
export function compareVersions(a: string, b: string): number {
  return semver.compare(a, b);
}

/** Sorts versions ascending by semver precedence (returns a new array). */
export function sortVersions(versions: readonly string[]): string[] {
  return sortBySemver(versions, (v) => v);
}

/**
 * Sorts items ascending by the semver precedence of `versionOf(item)` (returns a new array; equal versions keep
 * their order). Each version is parsed once: compareVersions parses both sides per comparison, n log n parses
 * (10,000 versions took ~100 ms to sort as strings, ~300 ms as rows).
 */
export function sortBySemver<T>(items: readonly T[], versionOf: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, parsed: new semver.SemVer(versionOf(item)) }))
    .sort((a, b) => a.parsed.compare(b.parsed))
    .map((e) => e.item);
}

/** The highest version by precedence, prereleases included; null for an empty list. */
export function highestVersion(versions: readonly string[]): string | null {
  const sorted = sortVersions(versions);
  return sorted.length > 0 ? sorted[sorted.length - 1]! : null;
}

/**
 * The latest stable version: the highest by precedence that is not a prerelease (`1.2.0` over `1.3.0-rc.1`);
 * null when every version is a prerelease or the list is empty.
 */
export function latestStableVersion(versions: readonly string[]): string | null {
  return highestVersion(versions.filter((v) => semver.prerelease(v) === null));
}

/**
 * The next version: `bump` applied to the highest existing version, or {@link FIRST_VERSION} when there is none.
 * A bump of a prerelease follows semver's rules (`patch` of `1.2.0-rc.1` is `1.2.0`).
 */
export function nextVersion(existing: readonly string[], bump: VersionBump = 'patch'): string {
  const highest = highestVersion(existing);
  if (highest === null) return FIRST_VERSION;
  const next = semver.inc(highest, bump);
  if (next === null) throw new Error(`cannot bump ${highest} by ${bump}`);
  return next;
}
