import { Component, h, type ComponentType } from 'preact';

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * `inner`, re-rendered only when one of its props changes identity (or its own state changes): a page whose
 * sections load separately then renders each section when its own data arrives, not every section on every answer.
 * preact/compat's memo would do the same but patches Preact's options globally (React event names and more).
 */
export function memo<P extends object>(inner: ComponentType<P>): ComponentType<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !shallowEqual(this.props, next);
    }
    override render(props: P) {
      return h(inner, props);
    }
  }
  return Memo;
}
