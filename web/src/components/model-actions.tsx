import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client';
import { useCan } from '../session';
import { ActionDialog } from './action-dialog';
import { useLoad } from './use-load';

/** Workflow starts wait for the run to end (at most this long) so the page shows its outcome. */
const WAIT = { wait: 'true', timeoutSeconds: 30 } as const;

interface VersionRow {
  version: string;
  status: string;
  metrics: Record<string, number>;
}

/** How a run that a start waited for stands: its Temporal status, or still running when the wait ran out (202). */
function runStatus(run: { status?: string }): string {
  return (run.status ?? 'RUNNING').toLowerCase();
}

/** The running promotion waiting for a decision, or null (none, or no Temporal). */
async function awaitingApproval(model: string): Promise<string | null> {
  const result = await api.GET('/api/v1/models/{model}/promotion', { params: { path: { model }, query: {} } });
  if (!result.response.ok || result.data === undefined) return null;
  const run = result.data;
  return run.status === 'RUNNING' && run.state?.step === 'AWAITING_APPROVAL' ? run.workflowId : null;
}

/**
 * Lifecycle actions of a model, shown only to admins (the API refuses them to other roles anyway): roll back (target
 * preselected: the version that served before the current one; reason required), promote a VALIDATION version with an
 * optional metric gate, approve or reject a promotion that waits for approval.
 */
export function ModelActions(props: {
  model: string;
  versions: VersionRow[];
  production: string | null;
  previous: string[];
  onChanged: () => void;
}) {
  const can = useCan('admin');
  const { model } = props;
  const [reason, setReason] = useState('');
  const [target, setTarget] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const [gateMetric, setGateMetric] = useState('');
  const [gateValue, setGateValue] = useState('');
  const [outcome, setOutcome] = useState<string | null>(null);
  const waiting = useLoad(() => (can ? awaitingApproval(model) : Promise.resolve(null)), [model, can, outcome]);
  if (!can) return null;

  const rollbackTo = target ?? props.previous[0] ?? null;
  const done = (text: string) => {
    setOutcome(text);
    setReason('');
    setComment('');
    props.onChanged();
  };
  const metricKeys = [...new Set(props.versions.flatMap((v) => Object.keys(v.metrics)))].sort();
  const gateNumber = Number(gateValue);
  const gate = gateMetric !== '' && gateValue.trim() !== '' && Number.isFinite(gateNumber);

  return (
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">Actions</h2>
      {outcome !== null && (
        <p role="status" data-field="outcome">
          {outcome}
        </p>
      )}
      {props.production !== null && rollbackTo !== null && (
        <ActionDialog
          action="rollback"
          label="Roll back…"
          danger
          title={`Roll back ${model}`}
          ready={reason.trim() !== ''}
          change={`Production of ${model} moves from ${props.production} to ${rollbackTo}; ${props.production} becomes DEPRECATED.`}
          onConfirm={async () => {
            const run = unwrap(
              await api.POST('/api/v1/models/{model}/rollbacks', {
                params: { path: { model }, query: WAIT },
                body: { reason: reason.trim(), toVersion: rollbackTo },
              }),
            );
            done(`rollback ${runStatus(run)}: production is ${rollbackTo}`);
          }}
        >
          <label>
            Target{' '}
            <select value={rollbackTo} onChange={(e) => setTarget(e.currentTarget.value)}>
              {props.previous.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>{' '}
          <label>
            Reason (required){' '}
            <input name="reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </label>
        </ActionDialog>
      )}{' '}
      {props.versions
        .filter((v) => v.status === 'VALIDATION')
        .map((v) => (
          <ActionDialog
            key={v.version}
            action={`promote-${v.version}`}
            label={`Promote ${v.version}…`}
            title={`Promote ${model}@${v.version}`}
            change={`${model}@${v.version} becomes PRODUCTION${props.production === null ? '' : `; ${props.production} becomes DEPRECATED`}${gate ? `, if ${gateMetric} ≥ ${gateNumber}` : ''}.`}
            onConfirm={async () => {
              const run = unwrap(
                await api.POST('/api/v1/models/{model}/promotions', {
                  params: { path: { model }, query: WAIT },
                  body: {
                    version: v.version,
                    ...(gate ? { gates: { thresholds: [{ metric: gateMetric, op: '>=', value: gateNumber }] } } : {}),
                  },
                }),
              );
              done(`promotion of ${v.version} ${runStatus(run)}`);
            }}
          >
            <fieldset>
              <legend>Gate (optional)</legend>
              <label>
                Metric{' '}
                <select value={gateMetric} onChange={(e) => setGateMetric(e.currentTarget.value)}>
                  <option value="">none</option>
                  {metricKeys.map((k) => (
                    <option key={k} value={k}>
                      {k}
                    </option>
                  ))}
                </select>
              </label>{' '}
              <label>
                at least{' '}
                <input inputMode="decimal" value={gateValue} onInput={(e) => setGateValue(e.currentTarget.value)} />
              </label>
            </fieldset>
          </ActionDialog>
        ))}{' '}
      {waiting.data !== null &&
        waiting.data !== undefined &&
        (['approve', 'reject'] as const).map((verb) => (
          <ActionDialog
            key={verb}
            action={verb}
            label={verb === 'approve' ? 'Approve promotion…' : 'Reject promotion…'}
            danger={verb === 'reject'}
            title={`${verb === 'approve' ? 'Approve' : 'Reject'} the waiting promotion of ${model}`}
            change={
              verb === 'approve'
                ? `The promotion ${waiting.data} goes on to swap production.`
                : `The promotion ${waiting.data} ends without changing production.`
            }
            onConfirm={async () => {
              const path =
                verb === 'approve'
                  ? '/api/v1/models/{model}/promotion/approve'
                  : '/api/v1/models/{model}/promotion/reject';
              unwrap(
                await api.POST(path, {
                  params: { path: { model } },
                  body: comment.trim() === '' ? {} : { comment: comment.trim() },
                }),
              );
              done(`promotion ${verb === 'approve' ? 'approved' : 'rejected'}`);
            }}
          >
            <label>
              Comment <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
            </label>
          </ActionDialog>
        ))}
    </section>
  );
}
