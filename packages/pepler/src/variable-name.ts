/** tfjs variable names are global: give each PEPLER variable a unique one. */
let counter = 0;
export function uniqueVariableName(base: string): string {
  counter += 1;
  return `${base}_${counter}`;
}
