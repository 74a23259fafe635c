// What each VSIX target carries of onnxruntime-node 1.30 (bin/napi-v6/<platform>/<arch>/), shared by
// scripts/package.mjs (what goes in), scripts/deviceRuntime.mjs and scripts/checkVsix.mjs (what must
// be there). Files are listed, not globbed, so a new file in an onnxruntime release is a decision.
//
// Left out on purpose: darwin's libonnxruntime.1.30.0.dylib, a byte-identical copy of
// libonnxruntime.1.dylib (npm flattens the symlink); the binding loads only @rpath/libonnxruntime.1.dylib
// (its load command, and the dylib's install name). Windows keeps DirectML.dll (onnxruntime.dll imports
// it) and dxcompiler.dll/dxil.dll (loaded at run time by the GPU providers).
export const TARGETS = {
  'linux-x64': { dir: 'linux/x64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'], arch: 'x86-64' },
  'linux-arm64': { dir: 'linux/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'], arch: 'aarch64' },
  'darwin-arm64': { dir: 'darwin/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'], arch: 'aarch64' },
  'win32-x64': { dir: 'win32/x64', files: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll', 'dxcompiler.dll', 'dxil.dll'], arch: 'x86-64' },
  'win32-arm64': { dir: 'win32/arm64', files: ['onnxruntime_binding.node', 'onnxruntime.dll', 'DirectML.dll', 'dxcompiler.dll', 'dxil.dll'], arch: 'aarch64' },
};

/** Remote Linux devices (issue 17): every VSIX carries these runtimes, whatever its own platform. */
export const DEVICE_TARGETS = ['linux-x64', 'linux-arm64'];

export const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';

/** The largest VSIX we accept (the Marketplace takes more; users download every byte of it). */
export const MAX_VSIX_BYTES = 100 * 2 ** 20;

/** The machine a native binary is for, from its header: ELF e_machine, Mach-O cputype or PE Machine. */
export function binaryArch(head) {
  if (head.length < 64) return 'unknown';
  if (head.readUInt32BE(0) === 0x7f454c46) {
    const m = head.readUInt16LE(18);
    return m === 0x3e ? 'x86-64' : m === 0xb7 ? 'aarch64' : `elf-${m}`;
  }
  if (head.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = head.readUInt32LE(4);
    return cpu === 0x0100000c ? 'aarch64' : cpu === 0x01000007 ? 'x86-64' : `macho-${cpu}`;
  }
  if (head.readUInt16LE(0) === 0x5a4d) {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 > head.length || head.readUInt32LE(pe) !== 0x4550) return 'unknown';
    const m = head.readUInt16LE(pe + 4);
    return m === 0x8664 ? 'x86-64' : m === 0xaa64 ? 'aarch64' : `pe-${m}`;
  }
  return 'unknown';
}

/** The format a native binary must have on a platform. */
export function binaryFormat(head) {
  if (head.readUInt32BE(0) === 0x7f454c46) return 'linux';
  if (head.readUInt32LE(0) === 0xfeedfacf) return 'darwin';
  if (head.readUInt16LE(0) === 0x5a4d) return 'win32';
  return 'unknown';
}
