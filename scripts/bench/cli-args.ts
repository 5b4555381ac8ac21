/** Argument checks shared by the bench's two command lines: a bad value prints the usage and exits 2. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function commandLine<O extends NonNullable<ParseArgsConfig['options']>>(usage: string, options: O) {
  const fail = (message: string): never => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  const { values } = parseArgs({ options: { ...options, help: { type: 'boolean', default: false } } as O });
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  const positiveList = (text: string, name: string): number[] => text.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) fail(`--${name} wants positive integers, got "${s}"`);
    return n;
  });
  const oneOf = <T extends string>(value: string, name: string, allowed: readonly T[]): T =>
    (allowed.includes(value as T) ? (value as T) : fail(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`));
  return { values, fail, positiveList, oneOf };
}
