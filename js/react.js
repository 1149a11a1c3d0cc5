'use client';
// kommo-oauth-button/react: <KommoButton> and useKommoSignIn(), for React 18 and 19. A client
// module ('use client'): a Next.js App Router Server Component page may render <KommoButton>
// directly.
//
// The wasm loads once, the first time a component mounts in the browser (never at import,
// never during server-side rendering: effects do not run there). Each component mounts its
// button in an effect and destroys it in the cleanup, so StrictMode's mount, clean-up and
// mount again leaves exactly one button. Options are the package's ButtonOptions; changing
// one re-mounts the button, changing onSuccess/onError does not (the latest ones are called).
import { createElement, useCallback, useEffect, useRef, useState } from 'react';
import { mount } from '../index.js';
import { load, loadFailure } from '../components.js';

const OWN_PROPS = new Set(['onSuccess', 'onError', 'containerClassName', 'containerStyle']);

/** The ButtonOptions among `props`, and a key that changes only when one of them does. */
function optionsOf(props) {
  const options = {};
  for (const key of Object.keys(props)) {
    if (!OWN_PROPS.has(key) && props[key] !== undefined && typeof props[key] !== 'function') options[key] = props[key];
  }
  return [options, JSON.stringify(options)];
}

/** Mounts a button for the options behind `latest` into `holder`; returns its handle or null. */
function mountInto(holder, latest) {
  const [options] = optionsOf(latest.current);
  try {
    return mount(holder, {
      ...options,
      onSuccess: (result) => latest.current.onSuccess?.(result),
      onError: (error) => latest.current.onError?.(error),
    });
  } catch (e) {
    // Unusable options: mount() threw an error naming them. Said once, here.
    console.error(e);
    return null;
  }
}

function loadFailed(latest) {
  return (e) => {
    if (latest.current.onError) latest.current.onError(loadFailure(e));
    else console.error(e);
  };
}

/**
 * The button. Props: every ButtonOptions key (`clientId`, `mode`, `theme`, …), `onSuccess`
 * and `onError`, and `containerClassName` / `containerStyle` for the element it renders into.
 */
export function KommoButton(props) {
  const host = useRef(null);
  const latest = useRef(props);
  latest.current = props;
  const [, key] = optionsOf(props);
  useEffect(() => {
    let handle = null;
    let cancelled = false;
    load().then(() => {
      if (!cancelled && host.current) handle = mountInto(host.current, latest);
    }, loadFailed(latest));
    return () => {
      cancelled = true;
      handle?.destroy();
    };
  }, [key]);
  return createElement('div', { ref: host, className: props.containerClassName, style: props.containerStyle });
}

/**
 * Sign-in from your own element: `const { signIn, ready } = useKommoSignIn({ clientId })`,
 * then `onClick={() => signIn().then(onSuccess, onError)}` (call it directly in the click
 * handler: the popup opens synchronously). `signIn()` rejects with a SignInFailure, or at
 * once while `ready` is false (the wasm is still loading).
 */
export function useKommoSignIn(options) {
  const latest = useRef(options);
  latest.current = options;
  const handle = useRef(null);
  const [ready, setReady] = useState(false);
  const [, key] = optionsOf(options);
  useEffect(() => {
    let cancelled = false;
    load().then(() => {
      if (cancelled) return;
      // A button of its own that is never shown: signIn() uses it.
      handle.current = mountInto(document.createElement('div'), latest);
      setReady(handle.current !== null);
    }, loadFailed(latest));
    return () => {
      cancelled = true;
      handle.current?.destroy();
      handle.current = null;
      setReady(false);
    };
  }, [key]);
  const signIn = useCallback(() => (handle.current
    ? handle.current.signIn()
    : Promise.reject(new Error('[kommo-oauth] useKommoSignIn: not ready yet (the wasm is loading, or the options are unusable); call signIn() once `ready` is true.'))), []);
  return { signIn, ready };
}
