// The same page without the button: the difference in first-load JS is what the package adds.
export default function Page() {
  return (
    <main>
      <h1>Connect your Kommo account</h1>
    </main>
  );
}
