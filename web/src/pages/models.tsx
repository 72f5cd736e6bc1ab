import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { Link } from '../components/link';
import { Status } from '../components/status';
import { useLoad } from '../components/use-load';
import { formatTime } from '../format';
import { Head, NextPage } from '../components/table-parts';

/** Every model with the version that serves it (since when, by whom) and its last change; search by name or tag. */
export function ModelsPage() {
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const models = useLoad(
    async () => unwrap(await api.GET('/api/v1/dashboard/models', { params: { query: { limit: 100, cursor } } })),
    [cursor],
  );
  return (
    <main id="main">
      <h1>Models</h1>
      <label class="search">
        Search <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      <Status of={models}>
        {(page) => {
          const needle = query.trim().toLowerCase();
          const shown = page.items.filter(
            (m) => needle === '' || m.name.includes(needle) || m.tags.some((t) => t.toLowerCase().includes(needle)),
          );
          return (
            <>
              <table class="models" aria-label="models">
                <Head columns={['model', 'production', 'since', 'by', 'last change', 'running A/B tests']} />
                <tbody>
                  {shown.map((m) => (
                    <tr key={m.name} data-model={m.name}>
                      <th scope="row">
                        <Link href={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
                      </th>
                      <td data-field="production">{m.production?.version ?? '—'}</td>
                      <td>{formatTime(m.production?.from)}</td>
                      <td data-field="production-actor">{m.production?.actor ?? '—'}</td>
                      <td>
                        {m.lastChange === null
                          ? '—'
                          : `${m.lastChange.version} → ${m.lastChange.toStatus} by ${m.lastChange.actor}, ${formatTime(m.lastChange.at)}`}
                      </td>
                      <td>{m.runningAbTests.length === 0 ? '—' : m.runningAbTests.join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {shown.length === 0 && <p>No model matches.</p>}
              <NextPage cursor={page.nextCursor} what="page" onNext={setCursor} />
            </>
          );
        }}
      </Status>
    </main>
  );
}
