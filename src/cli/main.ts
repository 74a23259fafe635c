/**
 * `edge-advisor` command line: the same core and runner as the extension, for CI pipelines.
 * Exit codes: 0 ok, 1 bad input or failed job, 2 usage error. No stack trace unless --verbose.
 */
import { AdvisorError, toAdvisorError } from '../core/errors';
import { commands } from './commands';

const USAGE = `usage: edge-advisor <command> [options]

commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join('\n')}

Run "edge-advisor <command> --help" for a command's options. Add --verbose for stack traces.`;

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`edge-advisor: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    const err = toAdvisorError(e);
    process.stderr.write(`edge-advisor ${name}: ${err.message}\n`);
    if (err.category === 'usage') process.stderr.write(`\n${cmd.usage}\n`);
    if (verbose && e instanceof Error && e.stack) process.stderr.write(e.stack + '\n');
    return err.category === 'usage' ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    process.stderr.write(`edge-advisor: ${e instanceof AdvisorError ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
