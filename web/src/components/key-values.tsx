import { formatNumber } from '../format';

/** Named numbers (metrics, an experiment's summary) as a two-column table; `field` names the cells for tests. */
export function KeyValues(props: { label: string; values: Record<string, number>; field: string }) {
  return (
    <table aria-label={props.label}>
      <tbody>
        {Object.entries(props.values).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td class="num" {...{ [`data-${props.field}`]: k }}>
              {formatNumber(v)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
