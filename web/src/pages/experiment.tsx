/** An experiment's metric charts (filled in with the windowed series route). */
export function ExperimentPage(props: { id: string }) {
  return (
    <main id="main">
      <h1>Experiment {props.id}</h1>
    </main>
  );
}
