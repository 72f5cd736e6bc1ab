import { compareVersions, highestVersion, sortVersions } from '../../../src/domain/semver';

describe('sortVersions', () => {
  test('orders by semver precedence (prerelease before release, 1.10.0 after 1.9.0) without touching its input', () => {
    const input = ['1.10.0', '1.9.0', '1.0.0', '1.0.0-rc.1', '0.9.12', '1.0.0-alpha'];
    expect(sortVersions(input)).toEqual(['0.9.12', '1.0.0-alpha', '1.0.0-rc.1', '1.0.0', '1.9.0', '1.10.0']);
    expect(input).toEqual(['1.10.0', '1.9.0', '1.0.0', '1.0.0-rc.1', '0.9.12', '1.0.0-alpha']);
    expect(sortVersions(input)).toEqual([...input].sort(compareVersions));
    expect(highestVersion(input)).toBe('1.10.0');
    expect(sortVersions([])).toEqual([]);
  });
});
