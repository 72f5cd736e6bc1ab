/**
 * Fuzz test of every CLI command and flag (issue 13, "Done when"): hostile values for each argument and option of each
 * command of the commander program itself (a new command is covered, or must be excluded here by name with a reason),
 * run in-process against a seeded SQLite home. Each case must exit with a documented code other than 1 (unexpected),
 * print at most one line on stderr (exactly one when it fails) and no stack trace, and leave the registry (every table
 * of the SQLite file and the artifact files) unchanged unless it succeeded. Commands that talk to Temporal must refuse
 * bad input before they connect: their Temporal address is a local socket that counts connections.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main';
import { reportError } from '../../src/cli/action';
import { ExitCode } from '../../src/cli/exit-codes';

/** Commands not fuzzed here: each runs until stopped or for minutes, and has tests of its own flags. */
const EXCLUDED: Record<string, string> = {
  serve: 'runs the HTTP server until stopped (cli-serve)',
  worker: 'runs a worker until stopped (workflows-dev-server)',
  dev: 'starts or stops the embedded dev server (workflows-dev-server)',
  demo: 'trains and runs workflows for minutes (demo, cli-input-hygiene)',
  ui: 'serves the dashboard until stopped (dashboard)',
};

/** Commands that start, query or update workflows: bad input must be refused before they connect to Temporal. */
const TEMPORAL = new Set([
  'promote',
  'approve',
  'rollback',
  'abtest start',
  'abtest status',
  'abtest stop',
  'abtest schedule create',
  'abtest schedule list',
  'abtest schedule pause',
  'abtest schedule unpause',
  'abtest schedule delete',
  'abtest schedule trigger',
  'guard start',
  'guard status',
  'guard pause',
  'guard resume',
  'guard stop',
  'guard acknowledge',
]);

/**
 * Failures found and not fixed yet (docs/errors.md, "Input fuzzing"), by command: each must still fail exactly so,
 * and a fix removes its line. Every other case must pass.
 */
const LEFT: Record<string, string[]> = {};

/** The exit codes of docs/errors.md that a refused input may have (1 is a bug). */
const DOCUMENTED = new Set<number>(Object.values(ExitCode).filter((c) => c !== ExitCode.UNEXPECTED));

const HUGE = 'x'.repeat(100_000);
/** Hostile values, each labelled for the report of a failing case. */
const HOSTILE: [string, string][] = [
  ['empty', ''],
  ['blank', '  '],
  ['huge', HUGE],
  ['unicode', '𝔣𝔯𝔞𝔲𝔡'],
  ['decomposed', 'fraude\u0301'],
  ['control', 'a\u0007\nb'],
  ['negative', '-1'],
  ['fraction', '0.5'],
  ['nan', 'NaN'],
  ['infinite', 'Infinity'],
  ['overflow', '1e999'],
  ['hex', '0x10'],
  ['padded', ' 1'],
  ['json', '{"a":{"__proto__":{"x":1}}}'],
  ['array', '[1,2]'],
  ['traversal', '../../../etc/passwd'],
];
/** Values no argument or option accepts; the others are valid for some (`0.5` is a model name and a tolerance). */
const NEVER_VALID = new Set(['empty', 'blank', 'huge']);
/** Optional text: empty means none; only a value over its length limit must be refused. */
const OPTIONAL_TEXT = new Set(['--description']);
/** Free text (who, why): any non-blank string of a bounded length is valid. */
const FREE_TEXT = new Set(['--actor', '--reason', '--comment', '--approver', '--author', '--name']);
const FREE_TEXT_HOSTILE = HOSTILE.filter(([label]) => ['empty', 'blank', 'huge'].includes(label));

interface Capture {
  stdout: string;
  stderr: string;
}
interface Outcome extends Capture {
  status: number;
  touchedTemporal: boolean;
  timedOut: boolean;
}

const capture = new AsyncLocalStorage<Capture>();

/**
 * Files outside the sandbox that a case must never touch (the CLI may run as root, and a path value such as
 * `../../../etc/passwd` is one of the hostile values): their digests before and after the suite must be equal.
 */
const CANARIES = ['/etc/passwd', '/etc/group', '/etc/hosts'];
const digestOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const canaryDigests = () => Object.fromEntries(CANARIES.map((f) => [f, digestOf(f)]));
/** How deep below the sandbox root the cases run: deeper than any `..` chain of the hostile values. */
const CWD_DEPTH = ['w', 'a', 'b', 'c', 'd', 'e', 'f'];
const CASE_MS = 15_000;

describe('CLI fuzz: every command and flag with hostile values', () => {
  let scratch: string;
  let home: string;
  const background: Promise<unknown>[] = [];
  const saved = {
    env: { ...process.env },
    cwd: process.cwd(),
    out: process.stdout.write,
    err: process.stderr.write,
    exitCode: process.exitCode,
  };
  const tally = { cases: 0, accepted: 0, refused: 0, reachedTemporal: 0, failures: [] as string[] };

  /**
   * Runs `modelctl argv…` in this process, its output captured, within CASE_MS or until it connects to Temporal: the
   * case's own Temporal address is a fresh listener, so a command of an earlier case that still retries its
   * connection (until the client's deadline) is never counted against this one.
   */
  async function run(argv: string[]): Promise<Outcome> {
    confine(argv);
    const out: Capture = { stdout: '', stderr: '' };
    let connected!: () => void;
    const touched = new Promise<'temporal'>((r) => (connected = () => r('temporal')));
    let touchedTemporal = false;
    const temporal = createServer((socket) => {
      touchedTemporal = true;
      connected();
      socket.destroy();
    });
    await new Promise<void>((r) => temporal.listen(0, '127.0.0.1', r));
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${(temporal.address() as AddressInfo).port}`;
    process.exitCode = undefined;
    const command = capture.run(out, async () => {
      try {
        await buildProgram().parseAsync(['node', 'modelctl', ...argv]);
      } catch (err) {
        reportError(err);
      }
      return 'done' as const;
    });
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      command,
      touched,
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), CASE_MS))),
    ]);
    clearTimeout(timer);
    await new Promise((r) => temporal.close(r));
    if (ended !== 'done') background.push(command);
    return {
      ...out,
      status: ended === 'done' ? Number(process.exitCode ?? 0) : -1,
      touchedTemporal,
      timedOut: ended === 'timeout',
    };
  }

  /** Every row of every table of the registry and every artifact file: what "unchanged" compares. */
  function dump(): string {
    const db = new Database(join(home, 'registry.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[];
      const rows = tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()]);
      const files = readdirSync(join(home, 'artifacts'), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => relative(home, join(d.parentPath, d.name)))
        .sort();
      return JSON.stringify({ rows, files });
    } finally {
      db.close();
    }
  }

  let sandbox: string;
  let canaries: Record<string, string>;

  /**
   * Refuses (throws) a case whose argv holds a path that would resolve outside the sandbox: relative paths are
   * resolved from the case's working directory, which lies deeper below the sandbox than any `..` chain here.
   */
  function confine(argv: string[]): void {
    for (const word of argv) {
      const value = word.startsWith('--') && word.includes('=') ? word.slice(word.indexOf('=') + 1) : word;
      if (!value.includes('/') || value.length > 4096 || value.includes('://')) continue;
      const path = isAbsolute(value) ? value : resolve(scratch, value);
      const inside = relative(sandbox, path);
      if (inside.startsWith('..') || isAbsolute(inside))
        throw new Error(`refusing to run a fuzz case with a path outside the sandbox: ${word}`);
    }
  }

  beforeAll(async () => {
    canaries = canaryDigests();
    sandbox = mkdtempSync(join(tmpdir(), 'modelctl-fuzz-'));
    scratch = join(sandbox, ...CWD_DEPTH);
    mkdirSync(scratch, { recursive: true });
    home = join(scratch, 'home');
    mkdirSync(home);
    // Relative paths a case names (a home, an output file, `../../../etc/passwd`) land inside the sandbox.
    process.chdir(scratch);
    for (const k of Object.keys(process.env))
      if (k.startsWith('MODELCTL_') || k.startsWith('TEMPORAL_')) delete process.env[k];
    Object.assign(process.env, {
      MODELCTL_HOME: home,
      HOME: sandbox,
      TMPDIR: sandbox,
      USER: 'fuzzer',
    });
    const route =
      (real: typeof process.stdout.write, key: keyof Capture): typeof process.stdout.write =>
      (chunk: string | Uint8Array, ...rest: unknown[]) => {
        const c = capture.getStore();
        if (c === undefined) return (real as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
        c[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
        return true;
      };
    process.stdout.write = route(saved.out, 'stdout');
    process.stderr.write = route(saved.err, 'stderr');

    writeFileSync(join(scratch, 'weights.bin'), 'weights');
    writeFileSync(join(scratch, 'eval.jsonl'), '{"id":"a","label":1,"score":0.9}\n{"id":"b","label":0,"score":0.2}\n');
    const ok = async (...argv: string[]) => {
      const r = await run(argv);
      if (r.status !== 0) throw new Error(`seeding ${argv.join(' ')} failed: ${r.stderr}`);
      return r.stdout;
    };
    const experiment = JSON.parse(await ok('experiment', 'start', 'baseline', '--type', 'TRAINING', '--json')) as {
      id: string;
    };
    experimentId = experiment.id;
    for (const v of ['1.0.0', '1.1.0'])
      await ok(
        'register',
        'fraud',
        'weights.bin',
        '--version',
        v,
        '--metrics',
        '{"accuracy":0.9}',
        '--git-dir',
        scratch,
      );
    await ok('experiment', 'log', experimentId, 'loss=0.5', '--step', '1');
    await ok('token', 'create', '--name', 'ci', '--role', 'admin');
  }, 120_000);

  afterAll(async () => {
    // Cases that connected to the fake Temporal go on until their connection deadline: let them end first.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(background), new Promise((r) => (timer = setTimeout(r, 60_000)))]);
    clearTimeout(timer);
    // The cases ran the CLI in this process, and its error path sets process.exitCode (7 for the last refused
    // Temporal address): left set, it would become the exit code of the whole jest run.
    process.exitCode = saved.exitCode;
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.chdir(saved.cwd);
    process.env = saved.env;
    rmSync(sandbox, { recursive: true, force: true });
    console.log(
      `CLI fuzz: ${tally.cases} cases, ${tally.refused} refused, ${tally.accepted} accepted, ${tally.reachedTemporal} valid for a workflow command (connected), ${tally.failures.length} failures\n${tally.failures.join('\n')}`,
    );
  }, 90_000);

  let experimentId = '';

  /** A valid value of each argument, by its name, so that one hostile value at a time is what a case changes. */
  const baseArgument = (command: string, name: string): string[] => {
    const byName: Record<string, string[]> = {
      model: ['fraud'],
      version: command === 'evaluate' || command === 'experiment link' ? ['fraud@1.0.0'] : ['1.0.0'],
      control: ['1.0.0'],
      treatment: ['1.1.0'],
      'artifact-path': ['weights.bin'],
      id: command.startsWith('experiment') ? [experimentId] : ['fraud-test'],
      name: ['run-2'],
      points: ['loss=0.4'],
      file: command === 'evaluate' ? ['eval.jsonl'] : [],
      a: ['fraud@1.0.0'],
      b: ['fraud@1.1.0'],
      unitIds: ['u1'],
      outcomes: ['u1=1'],
      observations: ['latency=0.2'],
      scheduleId: ['fraud-schedule'],
      policy: ['{"metrics":[{"metric":"latency","check":"slo","max":1}]}'],
    };
    if (command === 'token revoke') return ['nobody'];
    const value = byName[name];
    if (value === undefined) throw new Error(`no base value for argument <${name}> of ${command}: add one`);
    return value;
  };

  /** Every leaf command of the program, by its path (`abtest schedule create`). */
  const leaves = (c: Command, path: string[] = []): { path: string; command: Command }[] =>
    c.commands.length === 0
      ? [{ path: path.join(' '), command: c }]
      : c.commands.flatMap((s) => leaves(s, [...path, s.name()]));

  const program = buildProgram();
  const commands = leaves(program).filter(({ path }) => !(path in EXCLUDED));

  interface Case {
    label: string;
    argv: string[];
    /** False for a value a valid input may have: then success (exit 0) is fine too. */
    mustRefuse: boolean;
  }

  /** The cases of one command: each argument and option with each hostile value, missing arguments, unknown flags. */
  function casesOf(path: string, command: Command): Case[] {
    const words = path.split(' ');
    const args = command.registeredArguments;
    const base = args.map((a) => baseArgument(path, a.name()));
    const cases: Case[] = [];
    args.forEach((a, i) => {
      for (const [label, value] of HOSTILE) {
        const argv = [...words, ...base.slice(0, i).flat(), value, ...base.slice(i + 1).flat()];
        cases.push({ label: `<${a.name()}> ${label}`, argv, mustRefuse: NEVER_VALID.has(label) });
      }
      if (a.required)
        cases.push({ label: `<${a.name()}> missing`, argv: [...words, ...base.slice(0, i).flat()], mustRefuse: true });
    });
    for (const o of command.options) {
      const flag = o.long!;
      if (o.required || o.optional) {
        const values = FREE_TEXT.has(flag) ? FREE_TEXT_HOSTILE : HOSTILE;
        for (const [label, value] of values)
          cases.push({
            label: `${flag} ${label}`,
            argv: [...words, ...base.flat(), `${flag}=${value}`],
            mustRefuse: OPTIONAL_TEXT.has(flag) ? label === 'huge' : NEVER_VALID.has(label),
          });
        if (o.required)
          cases.push({ label: `${flag} without its value`, argv: [...words, ...base.flat(), flag], mustRefuse: true });
      } else {
        cases.push({ label: `${flag}=yes`, argv: [...words, ...base.flat(), `${flag}=yes`], mustRefuse: true });
      }
    }
    cases.push({ label: 'unknown flag', argv: [...words, ...base.flat(), '--no-such-flag'], mustRefuse: true });
    cases.push({
      label: 'unknown flag with a value',
      argv: [...words, ...base.flat(), '--frobnicate=1'],
      mustRefuse: true,
    });
    return cases;
  }

  /** The global options (the registry's configuration) with hostile values, on a read-only command. */
  function globalCases(): Case[] {
    const cases: Case[] = [];
    for (const o of program.options) {
      const flag = o.long!;
      if (!(o.required || o.optional)) continue;
      for (const [label, value] of HOSTILE)
        cases.push({
          label: `global ${flag} ${label}`,
          argv: [`${flag}=${value}`, 'versions', 'fraud'],
          mustRefuse: false,
        });
    }
    return cases;
  }

  /** Judges one case; a failure is a line for the report and the assertion. */
  async function judge(path: string, c: Case): Promise<string | null> {
    const before = dump();
    const r = await run(c.argv);
    tally.cases++;
    // Progress for a long run: FUZZ_LOG=<file> appends one line per case.
    if (process.env.FUZZ_LOG)
      appendFileSync(
        process.env.FUZZ_LOG,
        `${path} ${c.label}: exit ${r.status} ${JSON.stringify(r.stderr.slice(0, 200))}\n`,
      );
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    const problems: string[] = [];
    if (r.touchedTemporal) {
      // Connecting is what a valid input of a workflow command does; nothing else may.
      if (!TEMPORAL.has(path)) problems.push('connected to Temporal (list the command in TEMPORAL)');
      else if (c.mustRefuse) problems.push('connected to Temporal before refusing');
      else tally.reachedTemporal++;
    } else if (r.timedOut) problems.push(`no answer in ${CASE_MS} ms`);
    else if (!DOCUMENTED.has(r.status)) problems.push(`exit ${r.status}`);
    else if (r.status === 0 && c.mustRefuse) problems.push('accepted');
    if (r.status !== 0 && r.status !== -1 && lines.length !== 1) problems.push(`${lines.length} stderr lines`);
    if (r.status === 0 && lines.length > 1) problems.push(`${lines.length} stderr lines on success`);
    if (/^\s+at /m.test(r.stderr)) problems.push('stack trace');
    if (r.status !== 0 && dump() !== before) problems.push('registry changed');
    if (r.status === 0) tally.accepted++;
    else if (r.status !== -1) tally.refused++;
    if (problems.length === 0) return null;
    tally.failures.push(
      `${path} ${c.label}: ${problems.join(', ')} (exit ${r.status}; stderr ${JSON.stringify(r.stderr.slice(0, 300))})`,
    );
    return `${c.label}: ${problems.join(', ')}`;
  }

  test('every command of the program is fuzzed or excluded by name', () => {
    const all = leaves(program).map((l) => l.path);
    expect(Object.keys(EXCLUDED).filter((e) => !all.includes(e))).toEqual([]);
    expect([...TEMPORAL].filter((t) => !all.includes(t))).toEqual([]);
    expect(commands.length).toBe(all.length - Object.keys(EXCLUDED).length);
  });

  test.each(commands.map((c) => c.path))(
    '%s: hostile values are refused with one line, before any change',
    async (path) => {
      const { command } = commands.find((c) => c.path === path)!;
      const failures: string[] = [];
      for (const c of casesOf(path, command)) {
        const failure = await judge(path, c);
        if (failure !== null) failures.push(failure);
      }
      expect(failures).toEqual(LEFT[path] ?? []);
    },
    600_000,
  );

  test('global options with hostile values: one line, a documented exit code, no change', async () => {
    const failures: string[] = [];
    for (const c of globalCases()) {
      const failure = await judge('(global)', c);
      if (failure !== null) failures.push(failure);
    }
    expect(failures).toEqual(LEFT['(global)'] ?? []);
  }, 600_000);

  test('no file outside the sandbox was touched', () => {
    // Last in the file, so it runs after every case; the canaries were read before the first.
    expect(canaryDigests()).toEqual(canaries);
  });
});
