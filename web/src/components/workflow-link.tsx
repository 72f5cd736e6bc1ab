/** The Temporal Web UI the server names in GET /dashboard/settings; null when its address is unknown. */
export type TemporalUi = { url: string; namespace: string } | null;

/** Where a workflow is in the Temporal Web UI: `<url>/namespaces/<ns>/workflows/<workflowId>`. */
export function temporalWorkflowUrl(ui: NonNullable<TemporalUi>, workflowId: string): string {
  return `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * A workflow id, linked to its page in the Temporal Web UI when the server knows the UI's address (plain text
 * otherwise, so a deployment without the UI shows no dead links).
 */
export function WorkflowLink(props: { ui: TemporalUi; workflowId: string | null }) {
  if (props.workflowId === null) return null;
  const id = <code>{props.workflowId}</code>;
  if (props.ui === null) return id;
  return (
    <a href={temporalWorkflowUrl(props.ui, props.workflowId)} data-workflow-link={props.workflowId} rel="noopener">
      {id}
    </a>
  );
}
