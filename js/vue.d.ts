// kommo-oauth-button/vue: <KommoButton> for Vue 3.3+.
import type { DefineComponent } from 'vue';
import type { ButtonOptions, CommonButtonOptions, ClientIdButtonOptions, MetadataButtonOptions, SignInError, SignInResult } from '../index.js';

export type { ButtonOptions, SignInError, SignInResult };

/** Every ButtonOptions key but the callbacks. */
export declare const OPTION_NAMES: readonly (keyof CommonButtonOptions | keyof ClientIdButtonOptions | keyof MetadataButtonOptions)[];

/** `T` without its callbacks, for each member of a union. */
type WithoutCallbacks<T> = T extends unknown ? Omit<T, 'onSuccess' | 'onError'> : never;

/** A `clientId` or the whole metadata set (a type error otherwise). */
export type KommoButtonProps = WithoutCallbacks<ButtonOptions>;

/** The sign-in button; emits `success` ({code, state, …}) and `error` ({client_id, error, …}). */
export declare const KommoButton: DefineComponent<
  KommoButtonProps,
  {},
  {},
  {},
  {},
  {},
  {},
  { success: (result: SignInResult) => true; error: (error: SignInError) => true }
>;
export default KommoButton;
