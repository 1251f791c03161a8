export * from './user-representation.js';
export * from './discriminator.js';
export * from './fair-prefix.js';
export * from './cfp.js';
export * from './attacker.js';
export * from './mixture.js';
export * from './save.js';
export * from './recommend.js';
