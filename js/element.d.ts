// kommo-oauth-button/element: <kommo-oauth-button client-id="…"> (importing it defines the tag).
import type { ButtonOptions, SignInError, SignInResult } from '../index.js';

export type { ButtonOptions, SignInError, SignInResult };

/** Its events: `success` and `error` (CustomEvents), beside every HTMLElement event. */
export type KommoOAuthButtonEventMap = Omit<HTMLElementEventMap, 'error'> & {
  success: CustomEvent<SignInResult>;
  error: CustomEvent<SignInError>;
};

export declare class KommoOAuthButton extends HTMLElement {
  static observedAttributes: string[];
  /** The options its attributes give (client-id → clientId, …). */
  readonly options: Partial<Record<string, string>>;
  addEventListener<K extends keyof KommoOAuthButtonEventMap>(type: K, listener: (this: KommoOAuthButton, ev: KommoOAuthButtonEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'kommo-oauth-button': KommoOAuthButton;
  }
}
