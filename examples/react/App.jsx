// The React example: the package's <KommoButton> (kommo-oauth-button/react). It renders on a
// server too (tests/api/ssr.test.mjs renders it with react-dom/server): the wasm loads only
// in the browser, when the button mounts.
import { useCallback, useState } from 'react';
import { KommoButton, useKommoSignIn } from 'kommo-oauth-button/react';

export function App() {
  const [shown, setShown] = useState(true);
  const [error, setError] = useState('');
  const onError = useCallback((e) => setError(e.error), []);
  // Sign-in from a button of the app's own (the hook): signIn() inside the click handler.
  const { signIn, ready } = useKommoSignIn({ clientId: 'react-own-client' });
  return (
    <main>
      <h1>React</h1>
      {shown && <KommoButton clientId="react-client" onError={onError} containerClassName="kommo-host" />}
      <button id="own" type="button" disabled={!ready} onClick={() => signIn().catch((e) => setError(`own:${e.code}`))}>My own button</button>
      <p id="error">{error}</p>
      <button id="toggle" type="button" onClick={() => setShown((s) => !s)}>toggle</button>
    </main>
  );
}
