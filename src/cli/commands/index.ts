/** The CLI's subcommands. Each lives in its own file and returns its exit code. */
import { inspectCommand } from './inspect';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  inspect: inspectCommand,
};
