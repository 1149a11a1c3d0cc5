// kommo-oauth-button/vue: <KommoButton> for Vue 3.3+.
import type { DefineComponent } from 'vue';
import type { ButtonOptions, SignInError, SignInResult } from '../kommo_oauth_button.js';

export type { ButtonOptions, SignInError, SignInResult };

/** Every ButtonOptions key but the callbacks. */
export declare const OPTION_NAMES: readonly (keyof ButtonOptions)[];

export type KommoButtonProps = Omit<ButtonOptions, 'onSuccess' | 'onError'>;

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
