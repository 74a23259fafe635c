// A stand-in for the runner process in the job lifecycle tests: reports progress and partial
// results over IPC, then finishes, crashes or hangs as told.
// usage (forked): jobChild.mjs <ok|crash|hang> <steps> <stepMs>
const [mode = 'ok', stepsArg = '3', stepMsArg = '20'] = process.argv.slice(2);
const steps = Number(stepsArg);
const stepMs = Number(stepMsArg);
process.on('SIGTERM', () => { /* a hung runner ignores polite requests; only SIGKILL stops it */ });

let done = 0;
const timer = setInterval(() => {
  if (done >= steps) {
    if (mode === 'hang') return; // keep running forever
    if (mode === 'crash') { process.stderr.write('fatal: simulated native crash\n'); process.kill(process.pid, 'SIGSEGV'); return; }
    clearInterval(timer);
    process.send({ type: 'result', rows: done }, () => process.exit(0));
    return;
  }
  done++;
  // the partial result first: a test that cancels on seeing progress can then count on it
  process.send({ type: 'partial', rows: done });
  process.send({ type: 'progress', message: `step ${done} of ${steps}`, fraction: done / steps });
}, stepMs);
