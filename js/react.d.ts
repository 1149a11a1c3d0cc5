// kommo-oauth-button/react: <KommoButton> and useKommoSignIn() (React 18 and 19).
import type { CSSProperties, ReactElement } from 'react';
import type { ButtonOptions, SignInError, SignInResult } from '../index.js';

export type { ButtonOptions, SignInError, SignInResult };

/** `T` without its callbacks, for each member of a union. */
type WithoutCallbacks<T> = T extends unknown ? Omit<T, 'onSuccess' | 'onError'> : never;

/** A `clientId` or the whole metadata set (a type error otherwise), and the component's own props. */
export type KommoButtonProps = WithoutCallbacks<ButtonOptions> & {
  /** A sign-in finished: `{code, state, referer, client_id, from_widget?, url}`. */
  onSuccess?: (result: SignInResult) => void;
  /** Declined, closed, blocked…: `{client_id, error, error_description?}`; also `load_failed`. */
  onError?: (error: SignInError) => void;
  /** Class of the element the button renders into (`className` is the button's own). */
  containerClassName?: string;
  containerStyle?: CSSProperties;
};

/** The sign-in button: mounted in an effect, removed on unmount; SSR renders an empty container. */
export declare function KommoButton(props: KommoButtonProps): ReactElement;

export interface KommoSignIn {
  /** Opens the consent popup (call it inside a click handler); rejects with a SignInFailure. */
  signIn(): Promise<SignInResult>;
  /** False until the wasm has loaded in the browser (always false during SSR). */
  ready: boolean;
}

/** Sign-in from an element of your own. */
export declare function useKommoSignIn(options: KommoButtonProps): KommoSignIn;
