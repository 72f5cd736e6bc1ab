/** An A/B test (filled in with the A/B routes). */
export function AbTestPage(props: { id: string }) {
  return (
    <main id="main">
      <h1>A/B test {props.id}</h1>
    </main>
  );
}
