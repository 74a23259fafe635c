/** What every subcommand is: a one-line summary, its usage text, and a run that returns the exit code. */
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}
