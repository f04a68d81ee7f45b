/** Replaces every secret (and its URL-encoded form) in outgoing text. */
export class Redactor {
  private needles: string[] = [];

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  add(secret: string): void {
    // Very short values would blank out ordinary words; keys are long.
    if (secret.length < 4) return;
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      if (!this.needles.includes(form)) this.needles.push(form);
    }
  }

  get active(): boolean {
    return this.needles.length > 0;
  }

  text(value: string): string {
    let out = value;
    for (const needle of this.needles) {
      if (out.includes(needle)) out = out.split(needle).join('**********');
    }
    return out;
  }
}
