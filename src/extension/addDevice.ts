/**
 * "Edge Advisor: Add Device…": pick a host of the user's SSH config (as Remote-SSH offers them) or
 * type a destination, pick the tier, test the connection with a real probe, then write the
 * `edgeAdvisor.devices` setting. A failed or cancelled probe writes nothing.
 */
import * as vscode from 'vscode';
import { destinationProblem } from '../core/devices/destination';
import { deviceSummary } from '../core/devices/facts';
import { defaultSshConfig, listSshHosts } from '../core/devices/sshHosts';
import { toAdvisorError } from '../core/errors';
import { TIER_IDS } from '../core/tiers/presets';
import type { DeviceFacts, DeviceTarget, TierId } from '../core/tiers/types';
import { probeDevice } from '../runner/host/ssh/probe';
import { currentDestination, deviceTargetFor, hostDescription, TIER_LABELS, updatedDevices } from './deviceSetting';

/** A probe that cannot connect in this long says so (ssh's own ConnectTimeout is shorter). */
const PROBE_TIMEOUT_MS = 60_000;

type Choice<T> = vscode.QuickPickItem & { value: T };

/** Remote-SSH's `remote.SSH.configFile` when the user set one: its hosts are the ones they know. */
function sshConfigFile(): string | undefined {
  const f = vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile');
  return typeof f === 'string' && f.trim() ? f.trim() : undefined;
}

async function askDestination(configFile: string | undefined): Promise<string | undefined> {
  const file = configFile ?? defaultSshConfig();
  const hosts = listSshHosts(file);
  const enter: Choice<string | undefined> = { label: '$(edit) Enter a destination…', detail: 'user@host or ssh://user@host:port', value: undefined, alwaysShow: true };
  const items: Array<Choice<string | undefined>> = [
    ...(hosts.length ? [{ label: file, kind: vscode.QuickPickItemKind.Separator, value: undefined }] : []),
    ...hosts.map((h) => ({ label: `$(remote) ${h.alias}`, description: hostDescription(h), value: h.alias })),
    { label: '', kind: vscode.QuickPickItemKind.Separator, value: undefined },
    enter,
  ];
  const r = await vscode.window.showQuickPick(items, {
    title: 'Add Device (1/2): choose an SSH host', ignoreFocusOut: true, matchOnDescription: true,
    placeHolder: hosts.length ? 'Hosts from your SSH config' : `No hosts in ${file}: enter a destination`,
  });
  if (!r) return undefined;
  if (r.value !== undefined) return r.value;
  const typed = await vscode.window.showInputBox({
    title: 'Add Device: SSH destination', prompt: 'As you would give it to ssh: user@host, ssh://user@host:port or an alias',
    placeHolder: 'pi@raspberrypi', ignoreFocusOut: true,
    validateInput: (s) => destinationProblem(s.trim()) && `The destination ${destinationProblem(s.trim())}.`,
  });
  return typed?.trim() || undefined;
}

async function askTier(dest: string, current: unknown): Promise<TierId | undefined> {
  const items: Array<Choice<TierId>> = TIER_IDS.map((id) => {
    const now = currentDestination(current, id);
    return { label: TIER_LABELS[id], description: now ? `now ${now}` : 'now this machine', value: id };
  });
  const r = await vscode.window.showQuickPick(items, { title: `Add Device (2/2): which tier is ${dest}?`, ignoreFocusOut: true });
  return r?.value;
}

/** Probes under a cancellable notification; undefined when the user cancelled. Errors pass through. */
async function probe(target: DeviceTarget): Promise<DeviceFacts | undefined> {
  const abort = new AbortController();
  const facts = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Edge Advisor: connecting to ${target.ssh}…`, cancellable: true },
    async (_progress, token) => {
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await probeDevice(target, { signal: abort.signal, timeoutMs: PROBE_TIMEOUT_MS });
      } catch (e) {
        if (abort.signal.aborted) return undefined;
        throw e;
      } finally {
        sub.dispose();
      }
    },
  );
  return facts;
}

export async function addDevice(log: vscode.LogOutputChannel): Promise<void> {
  const configFile = sshConfigFile();
  const dest = await askDestination(configFile);
  if (!dest) return;
  const cfg = vscode.workspace.getConfiguration('edgeAdvisor');
  const tier = await askTier(dest, cfg.get('devices'));
  if (!tier) return;
  // workspace settings when a folder is open (the devices belong to that project), else user settings
  const scope = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  const inspected = cfg.inspect('devices');
  const atScope = scope === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue;
  const target = deviceTargetFor(dest, tier, atScope ?? cfg.get('devices'), configFile);

  let facts: DeviceFacts | undefined;
  try {
    facts = await probe(target);
  } catch (e) {
    const err = toAdvisorError(e, 'device');
    log.error(`add device ${dest} (${tier}): [${err.category}] ${err.message}`);
    const c = await vscode.window.showErrorMessage(`Edge Advisor: cannot use ${dest} as the ${TIER_LABELS[tier]} tier: ${err.message}`, 'Show Log');
    if (c) log.show();
    return;
  }
  if (!facts) {
    log.info(`add device ${dest}: cancelled, nothing written`);
    return;
  }
  log.info(`add device ${dest} as ${tier}: ${deviceSummary(facts)} (onnxruntime ${facts.onnxruntime || 'not installed yet'}, ${facts.executionProvider})`);
  await cfg.update('devices', updatedDevices(atScope, tier, target), scope);
  const where = scope === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user';
  const open = 'Open Settings';
  const c = await vscode.window.showInformationMessage(
    `Edge Advisor: ${TIER_LABELS[tier]} is now ${dest} (${facts.host}) — ${deviceSummary(facts)}. Saved in ${where} settings (edgeAdvisor.devices); the next run measures it there.`,
    open,
  );
  if (c === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'edgeAdvisor.devices');
}
