/**
 * Prompt templates with `{slot}` placeholders (PromptRec's `Template`): a slot whose value is missing is
 * removed with the space before it, so "a {age} {occupation} {area}." without an area reads "... occupation.".
 * Inputs longer than `maxTokens` are an error, not silently cut.
 */
import { ConfigError } from '@xrec/core';

export type SlotValues = Readonly<Record<string, string | undefined>>;

/** Fill `template`; every slot must be given a value or be listed in `optional`. */
export function renderTemplate(template: string, values: SlotValues, optional: ReadonlySet<string> = new Set()): string {
  return template
    .replace(/( ?)\{(\w+)\}/g, (_m, space: string, name: string) => {
      const v = values[name];
      if (v === undefined || v === '') {
        if (!optional.has(name)) throw new ConfigError(`renderTemplate: slot '${name}' has no value and is not optional`);
        return '';
      }
      return `${space}${v}`;
    })
    .replace(/ {2,}/g, ' ');
}
