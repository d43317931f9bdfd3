import { expect } from 'chai';
import { humanDuration, shortHumanDuration, durationUnits } from './duration.js';

const { SECOND: s, MINUTE: m, HOUR: h, DAY: d, YEAR: y } = durationUnits;

describe('humanDuration', () => {
  const cases: { name: string; ms: number; want: string }[] = [
    { name: 'far future is invalid', ms: -2 * s, want: '<invalid>' },
    { name: 'slight clock skew reads 0s', ms: -1500, want: '0s' },
    { name: 'exactly -1s is skew', ms: -1 * s, want: '0s' },
    { name: 'zero', ms: 0, want: '0s' },
    { name: 'sub-second truncates', ms: 999, want: '0s' },
    { name: 'seconds', ms: 5 * s, want: '5s' },
    { name: 'just under two minutes', ms: 119 * s + 900, want: '119s' },
    { name: 'two minutes', ms: 2 * m, want: '2m' },
    { name: 'minutes and seconds', ms: 2 * m + 30 * s, want: '2m30s' },
    { name: 'just under ten minutes', ms: 9 * m + 59 * s, want: '9m59s' },
    { name: 'ten minutes drops seconds', ms: 10 * m + 30 * s, want: '10m' },
    { name: 'just under three hours', ms: 179 * m + 59 * s, want: '179m' },
    { name: 'three hours', ms: 3 * h, want: '3h' },
    { name: 'hours and minutes', ms: 5 * h + 10 * m, want: '5h10m' },
    { name: 'eight hours drops minutes', ms: 8 * h + 10 * m, want: '8h' },
    { name: 'just under two days', ms: 47 * h + 59 * m, want: '47h' },
    { name: 'two days', ms: 48 * h, want: '2d' },
    { name: 'days and hours', ms: 3 * d + 4 * h, want: '3d4h' },
    { name: 'just under eight days', ms: 7 * d + 23 * h, want: '7d23h' },
    { name: 'eight days drops hours', ms: 8 * d + 5 * h, want: '8d' },
    { name: 'just under two years', ms: 729 * d, want: '729d' },
    { name: 'two years', ms: 2 * y, want: '2y' },
    { name: 'years and days', ms: 3 * y + 45 * d, want: '3y45d' },
    { name: 'eight years drops days', ms: 8 * y + 45 * d, want: '8y' },
    { name: 'not a number', ms: Number.NaN, want: '<invalid>' },
  ];
  for (const tc of cases) it(tc.name, () => expect(humanDuration(tc.ms)).to.equal(tc.want));
});

describe('shortHumanDuration', () => {
  const cases: { name: string; ms: number; want: string }[] = [
    { name: 'future', ms: -5 * s, want: '<invalid>' },
    { name: 'seconds', ms: 59 * s, want: '59s' },
    { name: 'minutes', ms: 90 * s, want: '1m' },
    { name: 'hours', ms: 23 * h + 59 * m, want: '23h' },
    { name: 'days', ms: 364 * d, want: '364d' },
    { name: 'years', ms: 2 * y + 3 * d, want: '2y' },
  ];
  for (const tc of cases) it(tc.name, () => expect(shortHumanDuration(tc.ms)).to.equal(tc.want));
});
