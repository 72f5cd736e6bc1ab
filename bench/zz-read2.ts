import { mkdtempSync } from 'node:fs';
import { openStore } from '../src/store';
(async () => {
  const home = mkdtempSync('/tmp/mb/home-');
  const store = await openStore({ home });
  await store.createExperiment({ id: 'run-1m', name: 'long run', type: 'TRAINING' });
  for (let first = 0; first < 1_000_000; first += 100_000)
    await store.logMetrics('run-1m', Array.from({ length: 100_000 }, (_, k) => ({ key: 'loss', value: Math.sin((first + k) / 1000) + ((first + k) === 600_000 ? 50 : 0), step: first + k })));
  const { Session } = await import('node:inspector/promises'); const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.setSamplingInterval', { interval: 100 }); await s.post('Profiler.start');
  const ms: number[] = [];
  for (let i = 0; i < 200; i++) { const a = performance.now(); await store.downsampledMetrics({ experimentId: 'run-1m', key: 'loss', maxPoints: 1280 }); ms.push(performance.now() - a); }
  const { profile } = await s.post('Profiler.stop'); require('fs').writeFileSync('/tmp/mb/prof/read2.cpuprofile', JSON.stringify(profile));
  ms.sort((a, b) => a - b); console.log('median', ms[100]!.toFixed(2));
  await store.close();
})();
