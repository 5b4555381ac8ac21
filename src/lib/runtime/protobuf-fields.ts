/**
 * A minimal protobuf reader for ONNX files, without onnxruntime or a schema: the fields of a message as byte ranges
 * of the file. Length-delimited fields (weights included) are located, never copied.
 */

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export interface Field {
  number: number;
  wire: number;
  /** The varint's value for varint fields; the length for length-delimited ones. */
  value: number;
  /** Where the field's key starts: [keyStart, end) is the whole field, as written. */
  keyStart: number;
  /** Where the field's value (a length-delimited field's bytes) starts and ends. */
  start: number;
  end: number;
}

export function varint(bytes: Uint8Array, at: number): [value: number, next: number] {
  // Read through subarray, not by index: a file read on demand (on-demand-bytes.ts) has no indexed bytes.
  const head = bytes.subarray(at, Math.min(at + 10, bytes.length));
  let value = 0;
  let scale = 1;
  for (let i = 0; i < head.length; i++) {
    value += (head[i] & 0x7f) * scale;
    scale *= 128;
    if (head[i] < 0x80) return [value, at + i + 1];
  }
  throw new Error('truncated varint');
}

/** The fields of the message in bytes [start, end), in file order. */
export function* fields(bytes: Uint8Array, start: number, end: number): Generator<Field> {
  let at = start;
  while (at < end) {
    const keyStart = at;
    const [key, afterKey] = varint(bytes, at);
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === WIRE.varint) {
      const [value, next] = varint(bytes, afterKey);
      yield { number, wire, value, keyStart, start: afterKey, end: next };
      at = next;
    } else if (wire === WIRE.bytes) {
      const [length, from] = varint(bytes, afterKey);
      if (from + length > end) throw new Error('a field runs past its message');
      yield { number, wire, value: length, keyStart, start: from, end: from + length };
      at = from + length;
    } else if (wire === WIRE.fixed64 || wire === WIRE.fixed32) {
      const next = afterKey + (wire === WIRE.fixed64 ? 8 : 4);
      yield { number, wire, value: 0, keyStart, start: afterKey, end: next };
      at = next;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  if (at !== end) throw new Error('a field runs past its message');
}

/** A varint's bytes. */
export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

export const utf8 = (text: string) => new TextEncoder().encode(text);

/** A length-delimited field's bytes as text (names, op types). */
export const fieldText = (bytes: Uint8Array, f: Field) => new TextDecoder().decode(bytes.subarray(f.start, f.end));

/** A length-delimited field as written: key, length, body. */
export function lengthDelimited(field: number, body: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from([...encodeVarint(field * 8 + WIRE.bytes), ...encodeVarint(body.byteLength)]), body]);
}

/** A varint field (of a value ≥ 0) as written. */
export function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...encodeVarint(field * 8 + WIRE.varint), ...encodeVarint(value)]);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
