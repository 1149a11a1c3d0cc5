// What a signIn() promise of the npm package rejects with. A class of its own, so that
// `error instanceof SignInFailure` works; the package re-exports it.
export class SignInFailure extends Error {
  constructor(message) {
    super(message);
    this.name = 'SignInFailure';
  }
}
