// The evidence snapshots, fetched with the review login (an <img> cannot send it) and kept as
// object URLs: the list's thumbnail and the selected flag's panel ask for the same picture once.
export class Snapshots {
  readonly #token: string;
  readonly #fetched = new Map<string, Promise<string>>();

  constructor(token: string) {
    this.#token = token;
  }

  /** An object URL for the snapshot at `url`; a failed fetch is asked again next time. */
  get(url: string): Promise<string> {
    let fetched = this.#fetched.get(url);
    if (!fetched) {
      fetched = this.#fetch(url);
      fetched.catch(() => this.#fetched.delete(url));
      this.#fetched.set(url, fetched);
    }
    return fetched;
  }

  async #fetch(url: string): Promise<string> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${this.#token}` } });
    if (!response.ok) throw new Error(`snapshot: ${response.status}`);
    return URL.createObjectURL(await response.blob());
  }
}
