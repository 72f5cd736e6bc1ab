import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

function composeConfig(): string {
  // `config` parses, interpolates and validates against the compose schema without a Docker engine.
  return execFileSync('docker-compose', ['-f', resolve(root, 'docker-compose.yml'), 'config'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, WANDB_MODE: 'disabled' },
  });
}

describe('docker-compose.yml', () => {
  test('is valid for docker-compose and defines the multi-machine topology', () => {
    const text = composeConfig();
    for (const service of ['temporal-db:', 'temporal:', 'temporal-ui:', 'registry-db:', 'worker:', 'server:']) {
      expect(text).toContain(`  ${service}`);
    }
    expect(text).toContain('DATABASE_URL: postgres://modelctl:modelctl@registry-db:5432/modelctl');
    expect(text).toContain('TEMPORAL_ADDRESS: temporal:7233');
    // The worker's heap is capped unless MODELCTL_WORKER_NODE_OPTIONS says otherwise.
    expect(text).toContain('NODE_OPTIONS: --max-old-space-size=1024');
    // The API listens on every interface inside its container, published on the host's 8090.
    expect(text).toMatch(/- serve\n\s+- --host\n\s+- 0\.0\.0\.0/);
    expect(text).toMatch(/published: "?8090"?\n\s+target: "?8080"?/);
  });

  test('a broken compose file is rejected by the same check', () => {
    const broken = resolve(__dirname, '../fixtures/docker-compose.broken.yml');
    expect(() => execFileSync('docker-compose', ['-f', broken, 'config', '-q'], { stdio: 'pipe' })).toThrow();
  });
});
