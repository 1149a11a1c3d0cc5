// A Server Component page (no 'use client' here), rendering the React component straight
// from the package, as the README shows.
import { KommoButton } from 'kommo-oauth-button/react';

export default function Page() {
  return (
    <main>
      <h1>Connect your Kommo account</h1>
      <KommoButton clientId="next-client" mode="post_message" containerClassName="kommo-host" />
    </main>
  );
}
