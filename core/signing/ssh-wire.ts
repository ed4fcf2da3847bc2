// RFC 4251 wire encoding (uint32, string) and a strict reader. Every signature, key and agent
// message goes through here, so bounds are checked once: a length that runs past the end is
// "truncated", bytes left over after a structure are "trailing-data", never silently ignored.
import { SshWireError } from "./errors.js";

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Builds a wire buffer field by field. */
export class SshWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.length += bytes.length;
    return this;
  }

  byte(value: number): this {
    return this.raw(Uint8Array.of(value & 0xff));
  }

  uint32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw new RangeError(`uint32 out of range: ${value}`);
    }
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value);
    return this.raw(b);
  }

  /** `string`: uint32 length, then the bytes (text is written as UTF-8). */
  string(value: Uint8Array | string): this {
    const bytes = typeof value === "string" ? utf8(value) : value;
    return this.uint32(bytes.length).raw(bytes);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Reads a wire buffer front to back; every read is bounds-checked. */
export class SshReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly data: Uint8Array,
    /** Names the structure in error messages ("signature blob", "agent reply", …). */
    private readonly what = "SSH data",
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  raw(length: number): Uint8Array {
    if (length > this.remaining) {
      throw new SshWireError(
        "truncated",
        `${this.what}: needs ${length} byte(s) at offset ${this.offset}, only ${this.remaining} left`,
      );
    }
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  byte(): number {
    return this.raw(1)[0] as number;
  }

  uint32(): number {
    const at = this.offset;
    this.raw(4);
    return this.view.getUint32(at);
  }

  /** A `string` field as bytes; the declared length must fit in what is left. */
  string(): Uint8Array {
    return this.raw(this.uint32());
  }

  /** A `string` field that must be valid UTF-8 text. */
  text(): string {
    const bytes = this.string();
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new SshWireError("invalid-text", `${this.what}: a text field is not valid UTF-8`);
    }
  }

  /** Refuses anything left over: a structure must be consumed exactly. */
  end(): void {
    if (this.remaining !== 0) {
      throw new SshWireError(
        "trailing-data",
        `${this.what}: ${this.remaining} trailing byte(s) after offset ${this.offset}`,
      );
    }
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const w = new SshWriter();
  for (const p of parts) w.raw(p);
  return w.bytes();
}
