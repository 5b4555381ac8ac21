/**
 * A small ONNX graph builder: initializers (inline or placed out of line by a sink), and nodes named like the PyTorch
 * exporter's (`/path/Op`, outputs `/path/Op_output_0`).
 */
import { AttributeType, DataType, type AttributeMsg, type DataTypeCode, type NodeMsg, type TensorMsg } from './onnx-proto.ts';
import { toFloat16Bits } from './float16.ts';

/** Where an initializer's bytes go: inline (rawData), or appended to an external data file. */
export interface InitializerSink {
  /** Returns the external-data entries for bytes written out of line, or undefined to keep them inline. */
  place(name: string, bytes: Uint8Array): { key: string; value: string }[] | undefined;
}

export const inlineSink: InitializerSink = { place: () => undefined };

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export const intAttr = (name: string, i: number): AttributeMsg => ({ name, type: AttributeType.INT, i });
export const intsAttr = (name: string, ints: number[]): AttributeMsg => ({ name, type: AttributeType.INTS, ints });
export const floatAttr = (name: string, f: number): AttributeMsg => ({ name, type: AttributeType.FLOAT, f });

export class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  private readonly counts = new Map<string, number>();

  constructor(
    readonly floatType: DataTypeCode,
    private readonly sink: InitializerSink,
  ) {}

  initializer(name: string, dims: number[], dataType: DataTypeCode, data: ArrayBufferView): string {
    const bytes = bytesOf(data);
    const external = this.sink.place(name, bytes);
    this.initializers.push(
      external
        ? { name, dims, dataType, externalData: external, dataLocation: 1 }
        : { name, dims, dataType, rawData: bytes },
    );
    return name;
  }

  /** A float tensor in the graph's float type. */
  float(name: string, dims: number[], data: Float32Array): string {
    return this.floatType === DataType.FLOAT16
      ? this.initializer(name, dims, DataType.FLOAT16, toFloat16Bits(data))
      : this.initializer(name, dims, DataType.FLOAT, data);
  }

  scalar(name: string, value: number): string {
    return this.float(name, [], Float32Array.of(value));
  }

  int64(name: string, dims: number[], values: number[]): string {
    return this.initializer(name, dims, DataType.INT64, BigInt64Array.from(values.map(BigInt)));
  }

  /** Adds a node; outputs are named after the node, like the PyTorch exporter's `/path/Op_output_0`. */
  op(opType: string, name: string, inputs: string[], attribute: AttributeMsg[] = [], outputCount = 1): string[] {
    const n = (this.counts.get(name) ?? 0) + 1;
    this.counts.set(name, n);
    const nodeName = n === 1 ? name : `${name}_${n}`;
    const output = Array.from({ length: outputCount }, (_, i) => `${nodeName}_output_${i}`);
    this.nodes.push({ name: nodeName, opType, input: inputs, output, attribute });
    return output;
  }

  op1(opType: string, name: string, inputs: string[], attribute: AttributeMsg[] = []): string {
    return this.op(opType, name, inputs, attribute)[0];
  }

  /** Adds a node with the given output names (for rewrites that keep another tool's names, as quantisers do). */
  named(opType: string, name: string, inputs: string[], output: string[], attribute: AttributeMsg[] = [],
    domain?: string): string[] {
    this.nodes.push({ name, opType, input: inputs, output, attribute, ...(domain ? { domain } : {}) });
    return output;
  }
}
