/**
 * `npm run fuzz [-- --cases N --seed S --case I --save DIR]`: runs the fuzz set and prints the case
 * count, crashes and hangs; exits 1 on any failure. Failures print the command that replays them.
 */
import { runFuzz, sweepTruncations } from './fuzz';

const DEFAULT_SEED = 20261125;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const seedArg = arg('seed');
  const seed = seedArg === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(seedArg ?? DEFAULT_SEED);
  const one = arg('case');
  const cases = one !== undefined ? 1 : Number(arg('cases') ?? 2400);
  const first = one !== undefined ? Number(one) : 0;
  const t0 = Date.now();
  console.log(`fuzz: seed ${seed}, cases ${first}..${first + cases - 1}`);
  const s = await runFuzz({ seed, cases, first, cliEvery: Number(arg('cli-every') ?? 20), saveDir: arg('save'), log: (l) => console.log(l) });
  const sweep = one !== undefined ? undefined : sweepTruncations();
  for (const f of sweep?.crashes ?? []) console.log(`FAIL truncation of ${f.base} at byte ${f.index} [${f.kind}]: ${f.detail}`);
  const typed = Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`\nfuzz summary (seed ${s.seed}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`  cases:            ${s.cases}`);
  console.log(`  valid results:    ${s.ok}`);
  console.log(`  typed errors:     ${typed || 'none'}`);
  console.log(`  crashes:          ${s.crashes}`);
  console.log(`  hangs:            ${s.hangs}`);
  console.log(`  alloc blowups:    ${s.allocBlowups}  (peak worker RSS ${Math.round(s.peakRssMb)} MB)`);
  console.log(`  outside reads:    ${s.outsideReads}${s.atimeChecked ? '' : '  (atime not recorded on this filesystem: unchecked)'}`);
  console.log(`  CLI sample:       ${s.cliRuns} runs, ${s.cliFailures} failures`);
  if (sweep) console.log(`  truncation sweep: ${sweep.cuts} cuts at every field boundary ±1 of ${sweep.seeds} seeds: ${sweep.ok} valid, ${sweep.errors} typed errors, ${sweep.crashes.length} failures`);
  console.log(`  slowest case:     ${Math.round(s.slowestMs)} ms, ${s.slowest}`);
  console.log(`  temp files left:  ${s.leftBehind}`);
  console.log(`  mutators:         ${Object.entries(s.byMutator).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return s.failures.length || s.leftBehind || sweep?.crashes.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(e); process.exitCode = 2; });
