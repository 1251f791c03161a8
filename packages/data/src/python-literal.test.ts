import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePythonLiteral } from './python-literal.js';
import { loadAmazonReviews } from './amazon.js';
import { tmp } from '../test/helpers.js';

describe('parsePythonLiteral (older Amazon 2014 dumps)', () => {
  it('parses dicts, lists, tuples, quotes, escapes, numbers and constants', () => {
    expect(parsePythonLiteral(`{'a': 'it\\'s', "b": [1, -2.5, 3e2], 'c': (True, False, None), 'd': 'caf\\xe9 \\u00e9\\n', 'e': {}}`)).toEqual({
      a: "it's", b: [1, -2.5, 300], c: [true, false, null], d: 'café é\n', e: {},
    });
    expect(() => parsePythonLiteral("{'a': 1")).toThrow(/expected ',' or '}'|unexpected end/);
    expect(() => parsePythonLiteral("{'a': os.system('x')}")).toThrow(/unexpected 'o' at column 7/);
  });

  it('loadAmazonReviews reads such lines (Python str repr mixes quote styles)', async () => {
    const file = join(tmp(), 'old2014.json');
    const rows = [
      `{'reviewerID': 'A2SUAM1J3GNN3B', 'asin': '0000013714', 'reviewerName': 'J. McDonald', 'helpful': [2, 3], 'reviewText': "I bought this for my husband. It's great.", 'overall': 5.0, 'summary': 'Heavenly Highway Hymns', 'unixReviewTime': 1252800000, 'reviewTime': '09 13, 2009'}`,
      `{'reviewerID': 'B1', 'asin': 'X', 'helpful': [0, 0], 'reviewText': 'Fine.', 'overall': 3.0, 'unixReviewTime': 1, 'oops'}`,
    ];
    writeFileSync(file, `${rows.join('\n')}\n`);
    await expect(loadAmazonReviews(file)).rejects.toThrow(/old2014\.json:2: neither JSON nor a Python dict literal/);
    const { records, stats } = await loadAmazonReviews(file, { lenient: true });
    expect(stats.skippedMalformed).toBe(1);
    expect(records[0]).toMatchObject({ user: 'A2SUAM1J3GNN3B', item: '0000013714', rating: 5, vote: 2, text: "I bought this for my husband. It's great.", timestamp: 1252800000n });
  });
});
