import { describe, expect, it } from 'vitest';
import { FeatureProfiles } from './feature-prompt.js';

describe('FeatureProfiles.promptFeatures', () => {
  it('puts features shared by user and item first, then the rest, by count', () => {
    const p = FeatureProfiles.fromRecords([
      { user: 'u', item: 'x', feature: 'sound' },
      { user: 'u', item: 'y', feature: 'price' },
      { user: 'u', item: 'y', feature: 'price' },
      { user: 'v', item: 'i', feature: 'price' },
      { user: 'v', item: 'i', feature: 'cable' },
      { user: 'w', item: 'i', feature: 'cable' },
      { user: 'w', item: 'i', feature: 'tuner' },
    ]);
    // user u: price 2, sound 1; item i: cable 2, price 1, tuner 1; shared: price
    expect(p.promptFeatures('u', 'i')).toEqual(['price', 'cable', 'sound', 'tuner']);
    expect(p.promptFeatures('nobody', 'nothing')).toEqual([]);
  });

  it('round-trips through JSON', () => {
    const p = FeatureProfiles.fromRecords([{ user: 'u', item: 'i', feature: 'f' }]);
    expect(FeatureProfiles.fromJSON(p.toJSON()).promptFeatures('u', 'i')).toEqual(['f']);
  });
});
