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
import { buildCli, modelctl, type Run } from '../helpers/cli';

/** One line on stderr, no stack, the given exit code. */
function failsWith(run: Run, status: number, line: RegExp): void {
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n')).toHaveLength(2);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr.trimEnd()).toMatch(line);
  expect(run.status).toBe(status);
}

/** A tmpfs of `size` mounted at a fresh directory (the tests run as root); unmounted by the returned function. */
function smallFileSystem(size: string): { dir: string; unmount: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'modelctl-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
    const fs = smallFileSystem('4k');
    const home = mkdtempSync(join(tmpdir(), 'modelctl-nospace-'));
    try {
      writeFileSync(join(fs.dir, 'filler'), Buffer.alloc(4096));
      const out = join(fs.dir, 'report.json');
      failsWith(
        modelctl(['report', '--out', out], { env: { MODELCTL_HOME: home } }),
        8,
        new RegExp(`^modelctl: cannot write --out: no space left on ${out}$`),
      );
    } finally {
      fs.unmount();
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('registering an artifact into a full artifact store changes nothing and says where', () => {
    const fs = smallFileSystem('64k');
    const home = mkdtempSync(join(tmpdir(), 'modelctl-nospace-'));
    try {
      const weights = join(home, 'weights.bin');
      writeFileSync(weights, Buffer.alloc(256 * 1024, 7));
      const env = { MODELCTL_HOME: home, ARTIFACT_STORE: fs.dir };
      const run = modelctl(['register', 'fraud', weights, '--git-dir', home], { env });
      failsWith(run, 8, new RegExp(`^modelctl: no space left on ${fs.dir}$`));
      const versions = modelctl(['versions', 'fraud', '--json'], { env });
      expect(versions.status).toBe(3);
    } finally {
      fs.unmount();
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('a SQLite registry on a full disk', () => {
    const fs = smallFileSystem('64k');
    const artifacts = mkdtempSync(join(tmpdir(), 'modelctl-art-'));
    try {
      const env = { MODELCTL_HOME: fs.dir, ARTIFACT_STORE: artifacts };
      const run = modelctl(['report'], { env });
      failsWith(run, 8, new RegExp(`^modelctl: no space left on ${fs.dir}/registry\\.sqlite$`));
    } finally {
      fs.unmount();
      rmSync(artifacts, { recursive: true, force: true });
    }
  });
});
