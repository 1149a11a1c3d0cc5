// kommo-oauth-button/element: <kommo-oauth-button client-id="…">, one custom element for
// Svelte, Astro, Angular, Solid and plain pages. Attributes are the drop-in's without `data-`
// (client-id, theme, mode, locale, redirect-uri, …); the element dispatches `success` and
// `error` (CustomEvents, detail as the callbacks get it); the button's own
// `kommo-oauth:success` / `kommo-oauth:error` bubble through it too. The wasm loads when the
// first element connects; an attribute change re-mounts the button; disconnecting removes it
// (also while the wasm is still loading). Importing this module on a server defines nothing.
import { mount } from '../index.js';
import { OPTION_NAMES, load, loadFailure } from '../components.js';

/** `clientId` → `client-id`. */
const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const ATTRIBUTES = new Map(OPTION_NAMES.map((name) => [kebab(name), name]));

const Base = typeof HTMLElement === 'undefined' ? class {} : HTMLElement;

export class KommoOAuthButton extends Base {
  static observedAttributes = [...ATTRIBUTES.keys()];

  #handle = null;
  #generation = 0;

  connectedCallback() { this.#render(); }

  disconnectedCallback() {
    this.#generation++;
    this.#handle?.destroy();
    this.#handle = null;
  }

  // An attribute set to the value it had changes nothing (a sign-in in progress goes on).
  attributeChangedCallback(name, before, after) { if (before !== after && this.isConnected) this.#render(); }

  /** The options its attributes give. */
  get options() {
    const options = {};
    for (const [attribute, name] of ATTRIBUTES) {
      const value = this.getAttribute(attribute);
      if (value !== null) options[name] = value;
    }
    return options;
  }

  #render() {
    const generation = ++this.#generation;
    load().then(() => {
      // Disconnected, or changed again, while the wasm loaded.
      if (generation !== this.#generation || !this.isConnected) return;
      this.#handle?.destroy();
      this.#handle = null;
      try {
        this.#handle = mount(this, {
          ...this.options,
          onSuccess: (detail) => this.dispatchEvent(new CustomEvent('success', { detail })),
          onError: (detail) => this.dispatchEvent(new CustomEvent('error', { detail })),
        });
      } catch (e) {
        // Unusable attributes: mount() threw an error naming them (as options). Said once.
        console.error(e);
      }
    }, (e) => this.dispatchEvent(new CustomEvent('error', { detail: loadFailure(e) })));
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('kommo-oauth-button')) {
  customElements.define('kommo-oauth-button', KommoOAuthButton);
}
