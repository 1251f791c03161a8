import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { runCli as run } from '../test/run-cli.js';
import { applyConfigFile, commandPath, EXIT, leafCommands } from './conventions.js';
import { buildProgram } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'xrec-cli-conv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe('CLI conventions', () => {
  const program = buildProgram();
  const leaves = leafCommands(program);

  it('every command has examples in --help and marks its required options', () => {
    expect(leaves.length).toBeGreaterThanOrEqual(17);
    for (const leaf of leaves) {
      const help = helpOf(leaf);
      expect(help, commandPath(leaf)).toMatch(/\nExamples?:\n/);
      expect(help.split(/\nExamples?:\n/)[1], commandPath(leaf)).toContain(commandPath(leaf));
      for (const o of leaf.options as Option[]) if (o.mandatory) expect(o.description, `${commandPath(leaf)} ${o.long}`).toMatch(/\(required\)$/);
    }
  });

  it('commands that produce results accept --json; training and benchmark commands accept --config', () => {
    const has = (path: string, flag: string) => leaves.find((l) => commandPath(l) === path)!.options.some((o) => o.long === flag);
    for (const path of ['xrec data build', 'xrec train lm', 'xrec train lora', 'xrec metrics explain', 'xrec bench speed', 'xrec explain', 'xrec pretrain', 'xrec doctor']) expect(has(path, '--json'), path).toBe(true);
    for (const path of ['xrec train lm', 'xrec train lora', 'xrec bench speed', 'xrec bench explain', 'xrec pretrain']) expect(has(path, '--config'), path).toBe(true);
  });

  it('exit codes: 64 for usage errors, 2 for xrec errors, 0 for --help', async () => {
    expect((await run(['no-such-command'])).code).toBe(EXIT.usage);
    expect((await run(['train', 'lm', '--no-such-flag'])).code).toBe(EXIT.usage);
    expect((await run(['generate', '--prompt', 'x'])).code).toBe(EXIT.usage); // missing --checkpoint
    const bad = await run(['generate', '--checkpoint', join(dir, 'missing'), '--prompt', 'x']);
    expect(bad.code).toBe(EXIT.xrecError);
    expect(bad.err).toMatch(/NotFoundError.*--checkpoint: .*missing does not exist/);
    expect(bad.err).not.toMatch(/\n\s+at /);
    const verbose = await run(['--verbose', 'generate', '--checkpoint', join(dir, 'missing'), '--prompt', 'x']);
    expect(verbose.err).toMatch(/\n\s+at /);
    expect((await run(['doctor', '--help'])).code).toBe(EXIT.ok);
  });

  it('seeds and counts out of range are refused, not wrapped', async () => {
    const r = await run(['bench', 'speed', '--seed', '4294967296']);
    expect(r.code).toBe(EXIT.xrecError);
    expect(r.err).toMatch(/--seed: expected an integer in \[0, 4294967295\], got '4294967296'/);
    expect((await run(['data', 'build', '--reviews', 'x.json', '--out', join(dir, 'o'), '--limit', '-5'])).err).toMatch(/--limit must be an integer >= 1, got '-5'/);
    expect((await run(['bench', 'speed', '--seed', '1.5'])).err).toMatch(/--seed: expected an integer/);
  });

  it('--config: values from the file, flags win, required options may come from it, unknown keys and bad values are errors', async () => {
    const speed = leaves.find((l) => commandPath(l) === 'xrec bench speed')!;
    const file = join(dir, 'speed.json');
    writeFileSync(file, JSON.stringify({ 'd-model': 32, layers: 1, arch: 'llama', json: true }));
    applyConfigFile(speed, file);
    expect(speed.opts()).toMatchObject({ dModel: 32, layers: 1, arch: 'llama', json: true });
    expect(speed.getOptionValueSource('dModel')).toBe('config');

    writeFileSync(file, JSON.stringify({ layerz: 1 }));
    expect(() => applyConfigFile(speed, file)).toThrow(/--config .*speed\.json: unknown option 'layerz' for `xrec bench speed`/);
    writeFileSync(file, JSON.stringify({ seed: -1 }));
    expect(() => applyConfigFile(speed, file)).toThrow(/'seed': --seed: expected an integer in \[0, 4294967295\]/);
    writeFileSync(file, '[1, 2]');
    expect(() => applyConfigFile(speed, file)).toThrow(/expected a JSON object/);

    // end to end: a required option (--out) from the file; the flag on the command line wins over the file
    const cfg = join(dir, 'lm.json');
    writeFileSync(cfg, JSON.stringify({ arch: 'gpt2', text: join(dir, 'none.txt'), tokenizer: join(dir, 'tok.json'), out: join(dir, 'from-file'), epochs: 2 }));
    const r = await run(['train', 'lm', '--config', cfg, '--tokenizer', join(dir, 'flag-tok.json')]);
    expect(r.code).toBe(EXIT.xrecError);
    expect(r.err).toMatch(/flag-tok\.json does not exist/); // the flag's --tokenizer, not the file's
  });
});
