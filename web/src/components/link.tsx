import type { ComponentChildren } from 'preact';
import { onLinkClick } from '../router';

/** An in-app link: a real anchor (keyboard, new tab) that navigates without a reload. */
export function Link(props: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a href={props.href} class={props.class} onClick={onLinkClick}>
      {props.children}
    </a>
  );
}
