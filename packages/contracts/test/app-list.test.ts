import { describe, expect, it } from 'vitest';
import { parseAppList } from '../src/app-list.js';

describe('parseAppList (appid:secret,appid:secret)', () => {
  it('reads the pairs in order, ignoring blank entries and spaces', () => {
    expect(parseAppList(' wxa:s1 , ,wxb : s2,', 'APPS')).toEqual([
      { appid: 'wxa', secret: 's1' },
      { appid: 'wxb', secret: 's2' },
    ]);
  });

  it('reads nothing from an unset or blank variable', () => {
    expect(parseAppList(undefined, 'APPS')).toEqual([]);
    expect(parseAppList('  ', 'APPS')).toEqual([]);
  });

  it('keeps what follows the first colon as the secret', () => {
    expect(parseAppList('wxa:s:1', 'APPS')).toEqual([{ appid: 'wxa', secret: 's:1' }]);
  });

  it.each(['wxa', 'wxa:', ':topsecret'])('refuses "%s", naming the entry by position only', (entry) => {
    expect(() => parseAppList(`wxok:fine,${entry}`, 'APPS')).toThrow(/^APPS entry 2 is not "appid:secret"$/);
  });
});
