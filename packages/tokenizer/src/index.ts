export * from './tokenizer.js';
export * from './byte-unicode.js';
export * from './pretokenize.js';
export * from './bpe-model.js';
export * from './bpe-tokenizer.js';
export * from './gpt2-files.js';
