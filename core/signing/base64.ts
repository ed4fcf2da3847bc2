// Strict base64 for armored keys and signatures. Buffer.from(…, "base64") skips invalid
// characters and ignores bad padding, so two different texts could decode to the same bytes;
// here only the canonical encoding of the bytes is accepted.

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes canonical, padded, standard-alphabet base64; returns undefined for anything else. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !ALPHABET.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  // Re-encoding catches non-zero padding bits ("AB==" vs "AA==") and misplaced "=".
  if (bytes.toString("base64") !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64");
}

/** base64 without "=" padding, as ssh-keygen prints SHA256 fingerprints. */
export function encodeBase64NoPad(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/=+$/, "");
}

/** Splits base64 text into lines of `width` characters (ssh-keygen uses 70). */
export function wrapLines(text: string, width: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines;
}
