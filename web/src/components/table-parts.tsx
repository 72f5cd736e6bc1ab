/** A table's header row: one column header per name. */
export function Head(props: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {props.columns.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** The button that loads the next page of a cursor-paginated list; nothing on the last page. */
export function NextPage(props: { cursor: string | null; what: string; onNext: (cursor: string) => void }) {
  const cursor = props.cursor;
  if (cursor === null) return null;
  return (
    <button type="button" onClick={() => props.onNext(cursor)}>
      Next {props.what}
    </button>
  );
}
