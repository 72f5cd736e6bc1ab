import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, failsWith, modelctl } from '../helpers/cli';

/**
 * Runs `body` with a tmpfs of `size` mounted at a fresh directory (the tests run as root) and a scratch directory on
 * the ordinary disk; unmounts and removes both afterwards.
 */
function onSmallFileSystem(size: string, body: (full: string, scratch: string) => void): void {
  const full = mkdtempSync(join(tmpdir(), 'modelctl-full-'));
  const scratch = mkdtempSync(join(tmpdir(), 'modelctl-scratch-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', full]);
  try {
    body(full, scratch);
  } finally {
    execFileSync('umount', [full]);
    rmSync(full, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

beforeAll(() => buildCli());

describe('output files are only created or replaced when regular', () => {
  let home: string;
  const env = () => ({ MODELCTL_HOME: home });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'modelctl-out-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  test('report --out through a symbolic link is refused and the link and its target stay as they were', () => {
    const target = join(home, 'precious.txt');
    writeFileSync(target, 'keep me');
    const link = join(home, 'link.json');
    symlinkSync(target, link);
    failsWith(
      modelctl(['report', '--out', link], { env: env() }),
      5,
      new RegExp(
        `^modelctl: refusing --out ${link}: it is a symbolic link; only a regular file is created or replaced$`,
      ),
    );
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  test('report --out onto a device node, a FIFO or a directory is refused and the node stays', () => {
    const device = join(home, 'null-device');
    execFileSync('mknod', [device, 'c', '1', '3']);
    const fifo = join(home, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const dir = join(home, 'a-directory');
    mkdirSync(dir);
    for (const [path, kind] of [
      [device, 'a device'],
      [fifo, 'a FIFO'],
      [dir, 'a directory'],
    ] as const) {
      failsWith(
        modelctl(['report', '--out', path], { env: env() }),
        5,
        new RegExp(`^modelctl: refusing --out ${path}: it is ${kind}; only a regular file is created or replaced$`),
      );
    }
    expect(lstatSync(device).isCharacterDevice()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(dir).isDirectory()).toBe(true);
  });

  test('report --out replaces a regular file and leaves no temporary file', () => {
    const out = join(home, 'report.json');
    writeFileSync(out, 'old');
    const run = modelctl(['report', '--out', out, '--json'], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ schemaVersion: 1, models: [] });
    expect(execFileSync('ls', ['-A', home], { encoding: 'utf8' }).split('\n')).not.toContainEqual(
      expect.stringMatching(/\.tmp$/),
    );
  });
});

describe('a full disk is NO_SPACE (exit 8) naming the path', () => {
  test('report --out on a full file system', () => {
    onSmallFileSystem('4k', (full, home) => {
      writeFileSync(join(full, 'filler'), Buffer.alloc(4096));
      const out = join(full, 'report.json');
      failsWith(
        modelctl(['report', '--out', out], { env: { MODELCTL_HOME: home } }),
        8,
        new RegExp(`^modelctl: cannot write --out: no space left on ${out}$`),
      );
    });
  });

  test('registering an artifact into a full artifact store changes nothing and says where', () => {
    onSmallFileSystem('64k', (full, home) => {
      const weights = join(home, 'weights.bin');
      writeFileSync(weights, Buffer.alloc(256 * 1024, 7));
      const env = { MODELCTL_HOME: home, ARTIFACT_STORE: full };
      failsWith(
        modelctl(['register', 'fraud', weights, '--git-dir', home], { env }),
        8,
        new RegExp(`^modelctl: no space left on ${full}$`),
      );
      failsWith(modelctl(['versions', 'fraud'], { env }), 3, /^modelctl: .*fraud/);
    });
  });

  test('a SQLite registry on a full disk', () => {
    onSmallFileSystem('64k', (full, artifacts) => {
      failsWith(
        modelctl(['report'], { env: { MODELCTL_HOME: full, ARTIFACT_STORE: artifacts } }),
        8,
        new RegExp(`^modelctl: no space left on ${full}/registry\\.sqlite$`),
      );
    });
  });
});
