/** The CLI's subcommands. Each lives in its own file and returns its exit code. */
import { benchCommand } from './bench';
import { inspectCommand } from './inspect';
import { partitionCommand } from './partition';
import { quantizeCommand } from './quantize';
import { recommendCommand } from './recommend';

import type { Command } from './command';

export type { Command } from './command';

export const commands: Record<string, Command> = {
  bench: benchCommand,
  inspect: inspectCommand,
  partition: partitionCommand,
  quantize: quantizeCommand,
  recommend: recommendCommand,
};
