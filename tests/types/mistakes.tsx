// Mistakes the types catch at compile time (tsc --strict in npm test): a button needs a
// clientId or the whole metadata set, and the glue's internals are not part of the API.
import * as pkg from '../../pkg/index.js';
import { mount } from '../../pkg/index.js';
import type { ReactElement } from 'react';
import { KommoButton, useKommoSignIn } from '../../pkg/react/index.js';

export function mountMistakes(target: Element): void {
  // @ts-expect-error: neither a clientId nor the metadata set
  mount(target, { theme: 'dark' });
  // @ts-expect-error: an empty options object
  mount(target, {});
  // @ts-expect-error: a metadata set without secretsUri
  mount(target, { name: 'n', description: 'd', redirectUri: 'https://a.example/cb', scopes: ['crm'] });
  mount(target, { clientId: 'x', theme: 'dark' });
  mount(target, { name: 'n', description: 'd', redirectUri: 'https://a.example/cb', secretsUri: 'https://a.example/s', scopes: ['crm'] });
}

export function ReactMistakes(): ReactElement {
  // @ts-expect-error: the hook needs a clientId too
  useKommoSignIn({});
  useKommoSignIn({ clientId: 'x' });
  return (
    <>
      {/* @ts-expect-error: no clientId */}
      <KommoButton theme="dark" />
      <KommoButton clientId="x" theme="dark" onError={(e) => console.warn(e.error)} />
    </>
  );
}

export function internalsHidden(target: Element): void {
  const handle = mount(target, { clientId: 'x' });
  // @ts-expect-error: free() belongs to the glue, not the API (destroy() is)
  handle.free();
  // @ts-expect-error: initSync belongs to the glue
  console.log(pkg.initSync);
  handle.destroy();
}

import '../../pkg/element/index.js';

export function customElement(): void {
  const el = document.createElement('kommo-oauth-button');
  el.setAttribute('client-id', 'x');
  el.addEventListener('success', (e) => console.log(e.detail.code));
  el.addEventListener('error', (e) => console.log(e.detail.error));
  document.body.append(el);
}
