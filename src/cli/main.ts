/**
 * `edge-advisor` command line: the same core and runner as the extension, for CI pipelines.
 * Exit codes (EXIT_CODES, also in --help and the README): 0 ok, 1 bad input or failed job,
 * 2 usage error, 3 a pipeline gate not met (recommend: gates.ts). No stack trace unless --verbose.
 */
import { version } from '../../package.json';
import { AdvisorError, toAdvisorError } from '../core/errors';
import { commands } from './commands';

export const EXIT_CODES = `exit codes: 0 ok · 1 bad input or a failed job · 2 usage error · 3 gate not met
  (recommend --latency-target-ms / --require; its last stderr line says which target failed by how much)`;

const USAGE = `usage: edge-advisor <command> [options]
       edge-advisor --version

commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join('\n')}

Run "edge-advisor <command> --help" for a command's options. Add --verbose for stack traces.
${EXIT_CODES}`;

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const [name, ...rest] = args;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
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
