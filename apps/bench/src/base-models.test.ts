import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { modelFingerprint } from './base-models.js';

describe('modelFingerprint', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const model = (weights: string) => {
    const d = mkdtempSync(join(tmpdir(), 'xrec-fp-'));
    dirs.push(d);
    writeFileSync(join(d, 'config.json'), '{"model_type":"gpt2"}');
    writeFileSync(join(d, 'tokenizer.json'), '{}');
    writeFileSync(join(d, 'model.safetensors'), weights);
    return d;
  };

  it('is the same for the same files and differs when weights of the same size change', () => {
    const a = model('weights-A');
    expect(modelFingerprint(a)).toBe(modelFingerprint(model('weights-A')));
    expect(modelFingerprint(a)).not.toBe(modelFingerprint(model('weights-B')));
  });

  it('sees a model retrained in place (same path, same size)', () => {
    const d = model('weights-A');
    const before = modelFingerprint(d);
    writeFileSync(join(d, 'model.safetensors'), 'weights-B');
    utimesSync(join(d, 'model.safetensors'), new Date(), new Date(Date.now() + 5000));
    expect(modelFingerprint(d)).not.toBe(before);
  });
});
